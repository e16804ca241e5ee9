#!/usr/bin/env bash
# Bounded attempt to run GraalVM's native-image builder (SubstrateVM 25.0.2 jars from Maven
# Central) on the Temurin 25 JDK, where no native-image driver, GraalVM or Mandrel can be had.
# It builds nothing for the project; it shows how far the builder gets on a hello world (see
# bench/results/native.md). Everything goes to ~/.cache/nodedaemon/native; nothing is installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
svm_version=25.0.2
cache="${NODEDAEMON_CACHE:-$HOME/.cache/nodedaemon}/native"
lib="$cache/graalvm-$svm_version/lib"
jdk="$("$root/.mvn/select-jdk")"
work="$cache/attempt"
mkdir -p "$cache" "$work"

# 1. The builder's jars (org.graalvm.nativeimage:svm and what it depends on).
if [[ ! -f "$lib/svm-$svm_version.jar" ]]; then
  cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>dev.nodedaemon.bench</groupId><artifactId>svm-fetch</artifactId><version>1</version>
<dependencies><dependency><groupId>org.graalvm.nativeimage</groupId><artifactId>svm</artifactId>
<version>$svm_version</version></dependency></dependencies></project>
POM
  "$root/mvnw" -B -q -f "$work/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib"
fi

# 2. A copy of the JDK (hard links) whose java.home can hold the builder's C helper library,
#    which is not on Maven Central: a two-function stand-in is compiled here.
shadow="$cache/jdk-svm"
if [[ ! -d "$shadow" ]]; then
  cp -al "$jdk" "$shadow" 2>/dev/null || cp -a "$jdk" "$shadow"
fi
mkdir -p "$shadow/lib/svm/builder/lib"
cat > "$work/reporterchelper.c" <<'C'
#include <jni.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <unistd.h>
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *e, jclass c) {
  struct rusage u; return getrusage(RUSAGE_SELF, &u) ? -1 : (jlong) u.ru_maxrss * 1024; }
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *e, jclass c) {
  struct winsize w; return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) ? -1 : w.ws_col; }
C
cc -shared -fPIC -O2 -I"$jdk/include" -I"$jdk/include/linux" \
  -o "$shadow/lib/svm/builder/lib/libreporterchelper.so" "$work/reporterchelper.c"

# 3. What a GraalVM JDK grants its builder modules: every JDK package exported and opened to them.
builder_modules="org.graalvm.nativeimage.base,org.graalvm.nativeimage.builder,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,org.graalvm.nativeimage.libgraal,org.graalvm.nativeimage.configure,jdk.graal.compiler,org.graalvm.truffle.compiler,org.graalvm.espresso.shared.svm,ALL-UNNAMED"
: > "$work/exports.args"
for module in $("$jdk/bin/java" --list-modules | sed 's/@.*//'); do
  "$jdk/bin/java" --describe-module "$module" |
    awk '/^(contains|exports) /{print $2} /^qualified (exports|opens) /{print $3}' | sort -u |
    while read -r package; do
      echo "--add-exports=$module/$package=$builder_modules"
      echo "--add-opens=$module/$package=$builder_modules"
    done >> "$work/exports.args"
done

# 4. The builder on a hello world.
mkdir -p "$work/hello"
echo 'public class Hello { public static void main(String[] a) { System.out.println("hello native"); } }' \
  > "$work/hello/Hello.java"
"$jdk/bin/javac" -d "$work/hello" "$work/hello/Hello.java"
set -x
"$shadow/bin/java" -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler -Xss10m \
  -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  -Dorg.graalvm.nativeimage.imagecode=buildtime \
  -Djdk.internal.lambda.disableEagerInitialization=true \
  -Dgraalvm.ForcePolyglotInvalid=true -Dgraalvm.locatorDisabled=true \
  -Dtruffle.TrustAllTruffleRuntimeProviders=true \
  --enable-native-access=ALL-UNNAMED,org.graalvm.nativeimage.builder,org.graalvm.nativeimage.pointsto,jdk.graal.compiler \
  --upgrade-module-path "$(ls "$lib"/*.jar | tr '\n' ':')" \
  --add-modules=org.graalvm.nativeimage.builder @"$work/exports.args" \
  -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  -imagecp "$work/hello" -H:Name=hello -H:Class=Hello -H:Path="$work/hello" 2>&1 |
  grep -v '^WARNING: Unknown module'
