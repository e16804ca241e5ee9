//go:build tools

// The commands hack/krew builds from this module: krew itself (run as `kubectl krew`) and the
// manifest validator of krew-index (sigs.k8s.io/krew/cmd/validate-krew-manifest).
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
