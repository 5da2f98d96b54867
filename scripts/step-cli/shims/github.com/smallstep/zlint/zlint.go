// Package zlint is a stand-in for github.com/smallstep/zlint, which Debian does not package.
// Linting is not available: encoding the result fails with an error that says so, which makes
// `step certificate lint` exit with status 1 instead of reporting a clean certificate.
package zlint

import (
	"errors"

	zx509 "github.com/smallstep/zcrypto/x509"
)

// ResultSet is the (always unavailable) outcome of LintCertificate.
type ResultSet struct{}

// LintCertificate returns a result set that cannot be encoded.
func LintCertificate(*zx509.Certificate) *ResultSet { return &ResultSet{} }

// MarshalJSON always fails: there are no lints in this build.
func (*ResultSet) MarshalJSON() ([]byte, error) {
	return nil, errors.New("certificate linting is not available in this build of step (zlint is not packaged in Debian)")
}
