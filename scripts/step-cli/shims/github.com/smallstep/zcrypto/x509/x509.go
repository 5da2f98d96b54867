// Package x509 is a stand-in for github.com/smallstep/zcrypto/x509, which Debian does not
// package. It parses with crypto/x509 and encodes a subset of zcrypto's JSON for
// `step certificate inspect --format json`: names, serial, validity, key, SANs and usages.
package x509

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Certificate wraps a parsed certificate.
type Certificate struct{ cert *x509.Certificate }

// CertificateRequest wraps a parsed certificate request.
type CertificateRequest struct{ csr *x509.CertificateRequest }

// ParseCertificate parses one DER certificate.
func ParseCertificate(der []byte) (*Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Certificate{c}, nil
}

// ParseCertificateRequest parses one DER certificate request.
func ParseCertificateRequest(der []byte) (*CertificateRequest, error) {
	c, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, err
	}
	return &CertificateRequest{c}, nil
}

type jsonName struct {
	CommonName         []string `json:"common_name,omitempty"`
	Country            []string `json:"country,omitempty"`
	Organization       []string `json:"organization,omitempty"`
	OrganizationalUnit []string `json:"organizational_unit,omitempty"`
	Locality           []string `json:"locality,omitempty"`
	Province           []string `json:"province,omitempty"`
}

type jsonSANs struct {
	DNSNames       []string `json:"dns_names,omitempty"`
	EmailAddresses []string `json:"email_addresses,omitempty"`
	IPAddresses    []string `json:"ip_addresses,omitempty"`
	URIs           []string `json:"uniform_resource_identifiers,omitempty"`
}

func toName(n pkix.Name) jsonName {
	j := jsonName{Country: n.Country, Organization: n.Organization, OrganizationalUnit: n.OrganizationalUnit,
		Locality: n.Locality, Province: n.Province}
	if n.CommonName != "" {
		j.CommonName = []string{n.CommonName}
	}
	return j
}

func keyInfo(pub interface{}) map[string]interface{} {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return map[string]interface{}{"key_algorithm": map[string]string{"name": "ECDSA"},
			"ecdsa_public_key": map[string]interface{}{"curve": k.Curve.Params().Name, "length": k.Curve.Params().BitSize}}
	case *rsa.PublicKey:
		return map[string]interface{}{"key_algorithm": map[string]string{"name": "RSA"},
			"rsa_public_key": map[string]interface{}{"exponent": k.E, "length": k.N.BitLen()}}
	case ed25519.PublicKey:
		return map[string]interface{}{"key_algorithm": map[string]string{"name": "Ed25519"}}
	default:
		return map[string]interface{}{}
	}
}

func sans(dns, emails []string, ips []string, uris []string) jsonSANs {
	return jsonSANs{DNSNames: dns, EmailAddresses: emails, IPAddresses: ips, URIs: uris}
}

// MarshalJSON encodes the certificate in (a subset of) zcrypto's layout.
func (c *Certificate) MarshalJSON() ([]byte, error) {
	cert := c.cert
	var ips, uris []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	for _, u := range cert.URIs {
		uris = append(uris, u.String())
	}
	sum := sha256.Sum256(cert.Raw)
	ext := map[string]interface{}{
		"subject_alt_name": sans(cert.DNSNames, cert.EmailAddresses, ips, uris),
	}
	if cert.BasicConstraintsValid {
		ext["basic_constraints"] = map[string]interface{}{"is_ca": cert.IsCA}
	}
	if len(cert.SubjectKeyId) > 0 {
		ext["subject_key_id"] = hex.EncodeToString(cert.SubjectKeyId)
	}
	if len(cert.AuthorityKeyId) > 0 {
		ext["authority_key_id"] = hex.EncodeToString(cert.AuthorityKeyId)
	}
	return json.Marshal(map[string]interface{}{
		"version":             cert.Version,
		"serial_number":       cert.SerialNumber.String(),
		"signature_algorithm": map[string]string{"name": cert.SignatureAlgorithm.String()},
		"issuer":              toName(cert.Issuer),
		"issuer_dn":           cert.Issuer.String(),
		"subject":             toName(cert.Subject),
		"subject_dn":          cert.Subject.String(),
		"validity": map[string]interface{}{
			"start":  cert.NotBefore.UTC().Format(time.RFC3339),
			"end":    cert.NotAfter.UTC().Format(time.RFC3339),
			"length": int64(cert.NotAfter.Sub(cert.NotBefore) / time.Second),
		},
		"subject_key_info":   keyInfo(cert.PublicKey),
		"extensions":         ext,
		"fingerprint_sha256": hex.EncodeToString(sum[:]),
	})
}

// MarshalJSON encodes the request in (a subset of) zcrypto's layout.
func (c *CertificateRequest) MarshalJSON() ([]byte, error) {
	csr := c.csr
	var ips, uris []string
	for _, ip := range csr.IPAddresses {
		ips = append(ips, ip.String())
	}
	for _, u := range csr.URIs {
		uris = append(uris, u.String())
	}
	return json.Marshal(map[string]interface{}{
		"version":             csr.Version,
		"signature_algorithm": map[string]string{"name": csr.SignatureAlgorithm.String()},
		"subject":             toName(csr.Subject),
		"subject_dn":          csr.Subject.String(),
		"subject_key_info":    keyInfo(csr.PublicKey),
		"extensions":          map[string]interface{}{"subject_alt_name": sans(csr.DNSNames, csr.EmailAddresses, ips, uris)},
	})
}
