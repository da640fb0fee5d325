// Package terraform runs Terraform or OpenTofu (version, init, plan and show
// only) in an isolated copy of a working directory and finds where resources
// are declared in its .tf files. Reading the plan JSON it produces is
// planjson's job.
package terraform
