module github.com/rehearse-dev/rehearse/bench/decoders

go 1.26.8

require github.com/rehearse-dev/rehearse v0.0.0

require github.com/go-json-experiment/json v1.27.2

require (
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/goccy/go-json v0.10.5
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/hashicorp/terraform-json v0.29.0 // indirect
	github.com/zclconf/go-cty v1.18.1 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/rehearse-dev/rehearse => ../..
