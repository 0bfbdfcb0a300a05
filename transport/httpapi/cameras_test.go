package httpapi

import (
	"regexp"
)

// openAPIPath writes a gin route's parameters (/:name/) as OpenAPI does (/{name}/).
func openAPIPath(p string) string {
	return regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(p, "{$1}")
}
