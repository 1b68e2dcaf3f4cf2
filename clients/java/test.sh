#!/usr/bin/env bash
# Builds the Java client with javac against Debian's grpc-java (libgrpc-java,
# libprotobuf-java, libnetty-java, ...) and runs its JUnit 4 tests against the
# live tokend named by TOKEND_* (tests/clients starts one). Output, including
# tokend-client.jar, goes to $CLIENTS_BUILD_DIR/java.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${CLIENTS_BUILD_DIR:-$here/build}/java"
rm -rf "$out"
mkdir -p "$out/gen" "$out/classes" "$out/test-classes"
bash "$here/../../scripts/gen-clients.sh" java "$out/gen" --testdata
# The README's example, compiled with the tests and run by ReadmeTest.
awk '/^```java$/{on=1; next} /^```$/{on=0} on' "$here/README.md" > "$out/ReadmeExample.java"

J=/usr/share/java
cp=""
for jar in grpc-api grpc-context grpc-core grpc-netty grpc-protobuf grpc-protobuf-lite grpc-stub \
    protobuf guava error_prone_annotations jsr305 geronimo-annotation-1.3-spec perfmark-api gson \
    animal-sniffer-annotations netty-buffer netty-codec netty-codec-http netty-codec-http2 \
    netty-codec-socks netty-common netty-handler netty-handler-proxy netty-resolver netty-transport; do
  cp+="$J/$jar.jar:"
done
javac -nowarn -encoding UTF-8 -d "$out/classes" -cp "$cp" \
  $(find "$out/gen/tokend/v1" "$here/src/main/java" -name '*.java')
jar cf "$out/tokend-client.jar" -C "$out/classes" .
javac -nowarn -encoding UTF-8 -d "$out/test-classes" -cp "$out/classes:$cp$J/junit4.jar" \
  $(find "$out/gen/tokend/echo" "$here/src/test/java" -name '*.java') "$out/ReadmeExample.java"
exec java -cp "$out/test-classes:$out/tokend-client.jar:$cp$J/junit4.jar:$J/hamcrest-core.jar" \
  org.junit.runner.JUnitCore tokend.client.TokenClientTest tokend.client.TokenSourceTest \
  tokend.client.InterceptorTest tokend.client.JwtVerifierTest tokend.client.ReadmeTest
