package approval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/rehearse-dev/rehearse/verdict"
)

// TestSignWithAgent signs through the real ssh-agent, naming the key every
// way git's user.signingkey can, and checks each signature with rehearse
// and with ssh-keygen.
func TestSignWithAgent(t *testing.T) {
	t.Parallel()
	sock := startAgent(t)
	dir := t.TempDir()
	plain := newKey(t, dir, "plain", "")
	locked := newKey(t, dir, "locked", "correct horse")
	sshAdd(t, sock, plain, "")
	sshAdd(t, sock, locked, "correct horse")
	unheld := newKey(t, dir, "unheld", "")
	signersFile := writeFile(t, filepath.Join(dir, "allowed_signers"),
		"alice@example.com "+pubKey(t, plain)+"\nalice@example.com "+pubKey(t, locked)+"\n")
	signers, err := LoadAllowedSigners(signersFile)
	if err != nil {
		t.Fatal(err)
	}
	fingerprint := func(priv string) string {
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pubKey(t, priv)))
		if err != nil {
			t.Fatal(err)
		}
		return ssh.FingerprintSHA256(pub)
	}

	tests := []struct {
		name, spec, want string // want: the key's fingerprint
	}{
		{"public key file", plain + ".pub", fingerprint(plain)},
		{"agent: public key file", "agent:" + plain + ".pub", fingerprint(plain)},
		{"agent: fingerprint", "agent:" + fingerprint(plain), fingerprint(plain)},
		{"key:: literal", "key::" + pubKey(t, plain), fingerprint(plain)},
		{"encrypted key held by the agent", locked, fingerprint(locked)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := OpenKey(tt.spec, sock)
			if err != nil {
				t.Fatal(err)
			}
			defer key.Close()
			if key.Source != "ssh-agent" {
				t.Errorf("source %q, want ssh-agent", key.Source)
			}
			e := validEntry()
			if err := Sign(&e, key); err != nil {
				t.Fatal(err)
			}
			got := Verify(Input{Entries: []Entry{e}, Policy: verdict.ApprovalPolicy{AllowedSigners: signersFile}, Signers: signers, Now: time.Now()})
			if got[0].Void != "" || got[0].Signer != tt.want {
				t.Fatalf("void %q signer %q, want %s", got[0].Void, got[0].Signer, tt.want)
			}
			msg, _ := Message(&e)
			sig := writeFile(t, filepath.Join(t.TempDir(), "sig"), e.Signature)
			run(t, msg, nil, "ssh-keygen", "-Y", "verify", "-f", signersFile, "-I", "alice@example.com", "-n", Namespace, "-s", sig)
		})
	}

	refused := []struct {
		name, spec, sock string
		want             string
	}{
		{"public key without an agent", plain + ".pub", "", "SSH_AUTH_SOCK is not set"},
		{"key the agent does not hold", unheld + ".pub", sock, "ssh-agent does not hold key " + fingerprint(unheld)},
		{"fingerprint the agent does not hold", "agent:" + fingerprint(unheld), sock, "does not hold key"},
		{"encrypted key without an agent", locked, "", "rehearse does not prompt"},
		{"agent socket gone", "agent:" + fingerprint(plain), filepath.Join(dir, "nosock"), "ssh-agent"},
		{"not a key", writeFile(t, filepath.Join(dir, "junk"), "hello\n"), sock, "not an SSH private or public key"},
		{"missing file", filepath.Join(dir, "none"), sock, "no such file"},
		{"bad literal", "key::ssh-ed25519 !!", sock, "not a public key"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			key, err := OpenKey(tt.spec, tt.sock)
			if err == nil {
				key.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := OpenKey(locked, ""); !errors.Is(err, ErrEncryptedKey) {
		t.Errorf("an encrypted key without an agent: %v, want ErrEncryptedKey", err)
	}
}

// TestOpenKeyFile signs with an unencrypted private key file, named with
// ~/ as in git's configuration.
func TestOpenKeyFile(t *testing.T) {
	needSSH(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	priv := newKey(t, filepath.Join(home, ".ssh"), "id_ed25519", "")
	key, err := OpenKey("~/.ssh/id_ed25519", "")
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	if key.Source != priv {
		t.Errorf("source %q, want %q", key.Source, priv)
	}
}

func FuzzParseSignature(f *testing.F) {
	f.Add("-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n")
	f.Add("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\ntrailing")
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := parseSignature(s)
		if err == nil && (sig.PublicKey == nil || sig.Signature == nil) {
			t.Fatalf("parsed a signature without a key: %q", s)
		}
	})
}
