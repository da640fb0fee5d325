package approval

import (
	"bytes"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Namespace is the sshsig namespace of every approval signature, so a
// signature made for git commits, files or anything else never counts as
// an approval, and the other way round.
const Namespace = "rehearse-approval"

// ErrEncryptedKey is returned by OpenKey for a private key protected by a
// passphrase that no agent holds: rehearse never prompts.
var ErrEncryptedKey = errors.New("the key is encrypted with a passphrase and rehearse does not prompt for one")

// Key is a key to sign approvals with, from a file or from ssh-agent.
type Key struct {
	ssh.Signer
	// Source says where the key is, for messages: the file, or
	// "ssh-agent".
	Source string
	conn   net.Conn
}

// Close closes the agent connection, if any.
func (k *Key) Close() error {
	if k.conn != nil {
		return k.conn.Close()
	}
	return nil
}

// OpenKey opens the signing key spec names, the way git reads
// user.signingkey with gpg.format=ssh:
//
//   - a path to an unencrypted private key (~/ is the home directory);
//   - a path to a public key (.pub), or to an encrypted private key, whose
//     private half is in the ssh-agent at agentSocket ($SSH_AUTH_SOCK);
//   - "key::" and a public key written out, held by the agent;
//   - "agent:" and a public key file or a key fingerprint (SHA256:…, as
//     ssh-add -l prints it), held by the agent.
//
// An encrypted key the agent does not hold is ErrEncryptedKey.
func OpenKey(spec, agentSocket string) (*Key, error) {
	switch {
	case strings.HasPrefix(spec, "agent:"):
		ref := strings.TrimPrefix(spec, "agent:")
		if strings.HasPrefix(ref, "SHA256:") {
			return fromAgent(agentSocket, ref, nil)
		}
		pub, err := readPublicKey(ref)
		if err != nil {
			return nil, err
		}
		return fromAgent(agentSocket, ref, pub)
	case strings.HasPrefix(spec, "key::"):
		pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimPrefix(spec, "key::")))
		if err != nil {
			return nil, fmt.Errorf("sign key %q: not a public key: %w", spec, err)
		}
		return fromAgent(agentSocket, "key::", pub)
	}
	file := expandHome(spec)
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("sign key: %w", err)
	}
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(b); err == nil {
		return fromAgent(agentSocket, file, pub)
	}
	raw, err := ssh.ParseRawPrivateKey(b)
	if err == nil {
		s, err := ssh.NewSignerFromKey(raw)
		if err != nil {
			return nil, fmt.Errorf("sign key %s: %w", file, err)
		}
		return &Key{Signer: s, Source: file}, nil
	}
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		return nil, fmt.Errorf("sign key %s: not an SSH private or public key: %w", file, err)
	}
	pub := missing.PublicKey
	if pub == nil {
		// Old PEM keys do not carry their public half; ssh-keygen wrote
		// it next to them.
		pub, _ = readPublicKey(file + ".pub")
	}
	if agentSocket == "" || pub == nil {
		return nil, fmt.Errorf("sign key %s: %w: use an unencrypted key, or add it to ssh-agent (ssh-add %s) with SSH_AUTH_SOCK set", file, ErrEncryptedKey, file)
	}
	k, err := fromAgent(agentSocket, file, pub)
	if err != nil {
		return nil, fmt.Errorf("%w (%w: add it with ssh-add %s, or use an unencrypted key)", err, ErrEncryptedKey, file)
	}
	return k, nil
}

// fromAgent finds the key pub (or the one with fingerprint ref when pub is
// nil) among the agent's keys.
func fromAgent(socket, ref string, pub ssh.PublicKey) (*Key, error) {
	want := ref
	if pub != nil {
		want = ssh.FingerprintSHA256(pub)
	}
	if socket == "" {
		return nil, fmt.Errorf("sign key %s: its private half must be in ssh-agent, but SSH_AUTH_SOCK is not set", ref)
	}
	conn, err := net.Dial("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("sign key %s: ssh-agent: %w", ref, err)
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("sign key %s: ssh-agent: %w", ref, err)
	}
	for _, s := range signers {
		if pub != nil && bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) ||
			pub == nil && ssh.FingerprintSHA256(s.PublicKey()) == want {
			return &Key{Signer: s, Source: "ssh-agent", conn: conn}, nil
		}
	}
	conn.Close()
	return nil, fmt.Errorf("sign key %s: ssh-agent does not hold key %s (ssh-add -l lists the keys it holds)", ref, want)
}

func readPublicKey(file string) (ssh.PublicKey, error) {
	file = expandHome(file)
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("sign key: %w", err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(b)
	if err != nil {
		return nil, fmt.Errorf("sign key %s: not a public key: %w", file, err)
	}
	return pub, nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// Sign signs the entry with key, as `ssh-keygen -Y sign -n
// rehearse-approval` would sign its Message, and stores the armored
// signature in the entry. Any field changed afterwards voids it.
func Sign(e *Entry, key ssh.Signer) error {
	msg, ok := Message(e)
	if !ok {
		return fmt.Errorf("approval for %s: text is not valid UTF-8", e.Finding)
	}
	sig, err := sshsig.Sign(bytes.NewReader(msg), key, sshsig.HashSHA512, Namespace)
	if err != nil {
		return fmt.Errorf("approval for %s: signing: %w", e.Finding, err)
	}
	e.Signature = string(sshsig.Armor(sig))
	return nil
}

// parseSignature reads one armored SSH signature, and nothing else: no
// headers, no second block, no text around it.
func parseSignature(armored string) (*sshsig.Signature, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(armored) + "\n"))
	switch {
	case block == nil || block.Type != sshsig.PEMType || len(block.Headers) > 0:
		return nil, errors.New("not an armored SSH signature (-----BEGIN SSH SIGNATURE-----)")
	case len(bytes.TrimSpace(rest)) > 0:
		return nil, errors.New("text after the SSH signature")
	}
	sig, err := sshsig.ParseSignature(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not an SSH signature: %w", err)
	}
	return sig, nil
}
