module github.com/visiond/visiond

go 1.26.0

require (
	github.com/yalue/onnxruntime_go v1.27.0 // indirect
	golang.org/x/image v0.47.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/term v0.47.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
