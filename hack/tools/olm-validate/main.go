// olm-validate checks an OLM bundle directory (manifests/ and metadata/) with the validators of
// github.com/operator-framework/api, the library behind `operator-sdk bundle validate`.
//
// It always runs the default bundle validators (CSV, CRD, bundle); with --optional it also runs
// the "operatorframework" suite (OperatorHub v2, standard capabilities and categories, good
// practices, deprecated APIs). It prints one line per finding and a summary, and exits 1 when
// any finding is an error, 2 when the bundle cannot be read.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	"github.com/operator-framework/api/pkg/validation/errors"
	interfaces "github.com/operator-framework/api/pkg/validation/interfaces"
	"sigs.k8s.io/yaml"
)

// The keys operator-registry requires in metadata/annotations.yaml of a bundle image.
var requiredAnnotations = []string{
	"operators.operatorframework.io.bundle.mediatype.v1",
	"operators.operatorframework.io.bundle.manifests.v1",
	"operators.operatorframework.io.bundle.metadata.v1",
	"operators.operatorframework.io.bundle.package.v1",
	"operators.operatorframework.io.bundle.channels.v1",
}

func main() {
	optional := flag.Bool("optional", false, "also run the operatorframework suite (OperatorHub, good practices, ...)")
	k8sVersion := flag.String("k8s-version", "", "Kubernetes version the deprecated-API checks target, e.g. 1.35")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: olm-validate [--optional] [--k8s-version X.Y] BUNDLE_DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)

	bundle, err := manifests.GetBundleFromDir(dir)
	if err != nil {
		fmt.Printf("ERROR cannot load bundle from %s: %v\n", dir, err)
		fmt.Println("olm-validate: 1 error(s), 0 warning(s)")
		os.Exit(2)
	}

	results, pkg := annotationResults(dir, bundle)
	objs := append(bundle.ObjectsToValidate(), bundle)
	results = append(results, validation.DefaultBundleValidators.Validate(objs...)...)
	if *optional {
		suite := interfaces.Validators{
			validation.OperatorHubV2Validator,
			validation.StandardCapabilitiesValidator,
			validation.StandardCategoriesValidator,
			validation.GoodPracticesValidator,
			validation.AlphaDeprecatedAPIsValidator,
		}
		values := map[string]string{}
		if *k8sVersion != "" {
			values["k8s-version"] = *k8sVersion
		}
		results = append(results, suite.Validate(bundle, values)...)
	}

	errorCount, warnCount := 0, 0
	for _, result := range results {
		for _, e := range result.Errors {
			errorCount++
			fmt.Printf("ERROR %s: %s\n", result.Name, e.Error())
		}
		for _, w := range result.Warnings {
			warnCount++
			fmt.Printf("WARN %s: %s\n", result.Name, w.Error())
		}
	}
	fmt.Printf("olm-validate: bundle %s (package %s, channels %v): %d error(s), %d warning(s)\n",
		bundle.Name, pkg, bundle.Channels, errorCount, warnCount)
	if errorCount > 0 {
		os.Exit(1)
	}
}

// annotationResults checks metadata/annotations.yaml as operator-registry reads it: every required
// key present and non-empty, and the default channel among the channels.
// It returns the findings and the package name.
func annotationResults(dir string, bundle *manifests.Bundle) ([]errors.ManifestResult, string) {
	result := errors.ManifestResult{Name: "metadata/annotations.yaml"}
	path := filepath.Join(dir, "metadata", "annotations.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		result.Add(errors.ErrInvalidBundle(fmt.Sprintf("cannot read %s: %v", path, err), dir))
		return []errors.ManifestResult{result}, ""
	}
	var file struct {
		Annotations map[string]string `json:"annotations"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		result.Add(errors.ErrInvalidBundle(fmt.Sprintf("cannot parse %s: %v", path, err), dir))
		return []errors.ManifestResult{result}, ""
	}
	missing := []string{}
	for _, key := range requiredAnnotations {
		if file.Annotations[key] == "" {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	for _, key := range missing {
		result.Add(errors.ErrInvalidBundle("annotation "+key+" is missing or empty", path))
	}
	defaultChannel := file.Annotations["operators.operatorframework.io.bundle.channel.default.v1"]
	if defaultChannel != "" && !contains(bundle.Channels, defaultChannel) {
		result.Add(errors.ErrInvalidBundle(
			fmt.Sprintf("default channel %q is not one of the channels %v", defaultChannel, bundle.Channels), path))
	}
	return []errors.ManifestResult{result}, file.Annotations["operators.operatorframework.io.bundle.package.v1"]
}

func contains(values []string, want string) bool {
	for _, v := range values {
		if v == want {
			return true
		}
	}
	return false
}
