package change

import "strings"

// secretWords are what a name says when its value is a secret.
var secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "private_key", "privatekey",
	"api_key", "apikey", "access_key", "accesskey", "credential", "connection_string", "sas_key", "auth_key", "client_key"}

// SecretName reports whether an attribute's, output's or variable's name
// says its value is a secret (password, client_secret, token,
// private_key…). Providers mark most secrets sensitive, but not all: an
// attribute the provider does not know is secret, an output someone forgot
// to mark. A name that says secret is hidden as if it were marked.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
