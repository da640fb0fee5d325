package main

import "strings"

// oneLine folds an error onto one line, as every error rehearse prints is.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	var parts []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " | ")
}
