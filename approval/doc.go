// Package approval owns the approvals file: reading and appending it,
// signing approvals with SSH keys, the allowed signers that may approve,
// and checking each approval's signature, approver, age and expiry. It
// says why an approval is void; verdict decides what the remaining ones
// change.
//
// # Signatures
//
// An approval is signed with an SSH key in the format `ssh-keygen -Y sign`
// writes (PROTOCOL.sshsig, armored as "-----BEGIN SSH SIGNATURE-----"),
// in the namespace "rehearse-approval", over its canonical message: the
// RFC 8785 (JCS) JSON of an object with exactly these seven string members,
//
//	at, by, expires, finding, fingerprint, reason, rollback
//
// sorted by name, with no whitespace, no trailing newline, and "" for an
// approval that does not expire. Strings are written as JCS writes them:
// `"` and `\` are escaped with a backslash, U+0008, U+0009, U+000A,
// U+000C and U+000D as \b \t \n \f \r, the other characters below U+0020
// as \u00XX with lower-case hex, and everything else as itself in UTF-8.
// An approval with text that is not valid UTF-8 is refused. For example
//
//	{"at":"2026-11-27T10:00:00Z","by":"alice@example.com","expires":"","finding":"RH-673cbe987e","fingerprint":"sha256:6d5d…","reason":"planned migration","rollback":"restore snapshot"}
//
// Message returns these bytes. Written to a file, with the entry's
// signature in approval.sig,
//
//	ssh-keygen -Y verify -f allowed_signers -I alice@example.com -n rehearse-approval -s approval.sig < message
//
// verifies it as rehearse does.
package approval
