module tokend.internal/clients/go

go 1.19

// The versions Debian 12 ships (golang-google-grpc-dev, golang-google-protobuf-dev),
// which the tests build against offline in GOPATH mode; newer ones work too.
require (
	google.golang.org/grpc v1.33.3
	google.golang.org/protobuf v1.28.1
)
