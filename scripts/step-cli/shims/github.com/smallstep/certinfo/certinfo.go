// Package certinfo is a small stand-in for github.com/smallstep/certinfo, which Debian does not
// package. It renders certificates and CSRs as text for `step certificate inspect` in a layout
// close to the original (and to `openssl x509 -text`), covering the fields step-issued leaves use.
package certinfo

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"
)

// CertificateText returns a multi-line description of cert.
func CertificateText(cert *x509.Certificate) (string, error) {
	var b strings.Builder
	b.WriteString("Certificate:\n    Data:\n")
	fmt.Fprintf(&b, "        Version: %d (0x%x)\n", cert.Version, cert.Version-1)
	fmt.Fprintf(&b, "        Serial Number: %s (%s)\n", cert.SerialNumber, hexColon(cert.SerialNumber.Bytes()))
	fmt.Fprintf(&b, "    Signature Algorithm: %s\n", cert.SignatureAlgorithm)
	fmt.Fprintf(&b, "        Issuer: %s\n", name(cert.Issuer))
	b.WriteString("        Validity\n")
	fmt.Fprintf(&b, "            Not Before: %s\n", cert.NotBefore.UTC().Format(time.UnixDate))
	fmt.Fprintf(&b, "            Not After : %s\n", cert.NotAfter.UTC().Format(time.UnixDate))
	fmt.Fprintf(&b, "        Subject: %s\n", name(cert.Subject))
	b.WriteString("        Subject Public Key Info:\n")
	fmt.Fprintf(&b, "            Public Key Algorithm: %s\n", keyDescription(cert.PublicKey))
	b.WriteString("        X509v3 extensions:\n")
	if cert.KeyUsage != 0 {
		fmt.Fprintf(&b, "            X509v3 Key Usage:%s\n                %s\n", critical(cert, oidKeyUsage), strings.Join(keyUsages(cert.KeyUsage), ", "))
	}
	if len(cert.ExtKeyUsage) > 0 || len(cert.UnknownExtKeyUsage) > 0 {
		fmt.Fprintf(&b, "            X509v3 Extended Key Usage:%s\n                %s\n", critical(cert, oidExtKeyUsage), strings.Join(extKeyUsages(cert), ", "))
	}
	if cert.BasicConstraintsValid {
		ca := "CA:FALSE"
		if cert.IsCA {
			ca = "CA:TRUE"
			if cert.MaxPathLen > 0 || cert.MaxPathLenZero {
				ca += fmt.Sprintf(", pathlen:%d", cert.MaxPathLen)
			}
		}
		fmt.Fprintf(&b, "            X509v3 Basic Constraints:%s\n                %s\n", critical(cert, oidBasicConstraints), ca)
	}
	if len(cert.SubjectKeyId) > 0 {
		fmt.Fprintf(&b, "            X509v3 Subject Key Identifier:\n                %s\n", hexColon(cert.SubjectKeyId))
	}
	if len(cert.AuthorityKeyId) > 0 {
		fmt.Fprintf(&b, "            X509v3 Authority Key Identifier:\n                keyid:%s\n", hexColon(cert.AuthorityKeyId))
	}
	if sans := altNames(cert.DNSNames, cert.EmailAddresses, cert.IPAddresses, cert.URIs); len(sans) > 0 {
		fmt.Fprintf(&b, "            X509v3 Subject Alternative Name:%s\n                %s\n", critical(cert, oidSubjectAltName), strings.Join(sans, ", "))
	}
	for _, ext := range cert.Extensions {
		if !known(ext.Id) {
			fmt.Fprintf(&b, "            %s:%s\n                %s\n", ext.Id, criticalFlag(ext.Critical), hexColon(ext.Value))
		}
	}
	fmt.Fprintf(&b, "    Signature Algorithm: %s\n", cert.SignatureAlgorithm)
	fmt.Fprintf(&b, "         %s\n", hexColon(cert.Signature))
	return b.String(), nil
}

// CertificateShortText returns a few lines naming the key, serial, subject, SANs, issuer and validity.
func CertificateShortText(cert *x509.Certificate) (string, error) {
	kind := "Certificate"
	if cert.IsCA {
		kind = "CA Certificate"
	} else {
		for _, u := range cert.ExtKeyUsage {
			if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageClientAuth {
				kind = "TLS Certificate"
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "X.509v3 %s (%s) [Serial: %s]\n", kind, keyDescription(cert.PublicKey), abbreviate(cert.SerialNumber))
	fmt.Fprintf(&b, "  Subject:     %s\n", commonNameOr(cert.Subject))
	for _, san := range altNames(cert.DNSNames, cert.EmailAddresses, cert.IPAddresses, cert.URIs) {
		fmt.Fprintf(&b, "               %s\n", san)
	}
	fmt.Fprintf(&b, "  Issuer:      %s\n", commonNameOr(cert.Issuer))
	fmt.Fprintf(&b, "  Valid from:  %s\n", cert.NotBefore.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "          to:  %s\n", cert.NotAfter.UTC().Format(time.RFC3339))
	return b.String(), nil
}

// CertificateRequestText returns a multi-line description of csr.
func CertificateRequestText(csr *x509.CertificateRequest) (string, error) {
	var b strings.Builder
	b.WriteString("Certificate Request:\n    Data:\n")
	fmt.Fprintf(&b, "        Version: %d (0x%x)\n", csr.Version, csr.Version)
	fmt.Fprintf(&b, "        Subject: %s\n", name(csr.Subject))
	b.WriteString("        Subject Public Key Info:\n")
	fmt.Fprintf(&b, "            Public Key Algorithm: %s\n", keyDescription(csr.PublicKey))
	if sans := altNames(csr.DNSNames, csr.EmailAddresses, csr.IPAddresses, csr.URIs); len(sans) > 0 {
		b.WriteString("        Requested Extensions:\n")
		fmt.Fprintf(&b, "            X509v3 Subject Alternative Name:\n                %s\n", strings.Join(sans, ", "))
	}
	fmt.Fprintf(&b, "    Signature Algorithm: %s\n", csr.SignatureAlgorithm)
	fmt.Fprintf(&b, "         %s\n", hexColon(csr.Signature))
	return b.String(), nil
}

// CertificateRequestShortText returns a few lines naming the key, subject and requested SANs.
func CertificateRequestShortText(csr *x509.CertificateRequest) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "X.509v3 Certificate Signing Request (%s)\n", keyDescription(csr.PublicKey))
	fmt.Fprintf(&b, "  Subject:     %s\n", commonNameOr(csr.Subject))
	for _, san := range altNames(csr.DNSNames, csr.EmailAddresses, csr.IPAddresses, csr.URIs) {
		fmt.Fprintf(&b, "               %s\n", san)
	}
	return b.String(), nil
}

var (
	oidKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
)

func known(id asn1.ObjectIdentifier) bool {
	for _, k := range []asn1.ObjectIdentifier{oidKeyUsage, oidSubjectAltName, oidBasicConstraints, oidExtKeyUsage, oidSubjectKeyID, oidAuthorityKeyID} {
		if id.Equal(k) {
			return true
		}
	}
	return false
}

func critical(cert *x509.Certificate, id asn1.ObjectIdentifier) string {
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(id) {
			return criticalFlag(ext.Critical)
		}
	}
	return ""
}

func criticalFlag(c bool) string {
	if c {
		return " critical"
	}
	return ""
}

func name(n pkix.Name) string {
	var parts []string
	add := func(key string, values []string) {
		for _, v := range values {
			parts = append(parts, key+"="+v)
		}
	}
	add("C", n.Country)
	add("ST", n.Province)
	add("L", n.Locality)
	add("O", n.Organization)
	add("OU", n.OrganizationalUnit)
	if n.CommonName != "" {
		parts = append(parts, "CN="+n.CommonName)
	}
	if n.SerialNumber != "" {
		parts = append(parts, "serialNumber="+n.SerialNumber)
	}
	return strings.Join(parts, ",")
}

func commonNameOr(n pkix.Name) string {
	if n.CommonName != "" {
		return n.CommonName
	}
	return name(n)
}

func keyDescription(pub interface{}) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	default:
		return fmt.Sprintf("%T", pub)
	}
}

func altNames(dns, emails []string, ips []net.IP, uris []*url.URL) []string {
	var out []string
	for _, d := range dns {
		out = append(out, "DNS:"+d)
	}
	for _, e := range emails {
		out = append(out, "email:"+e)
	}
	for _, ip := range ips {
		out = append(out, "IP Address:"+ip.String())
	}
	for _, u := range uris {
		out = append(out, "URI:"+u.String())
	}
	return out
}

func keyUsages(ku x509.KeyUsage) []string {
	names := []string{"Digital Signature", "Content Commitment", "Key Encipherment", "Data Encipherment",
		"Key Agreement", "Certificate Sign", "CRL Sign", "Encipher Only", "Decipher Only"}
	var out []string
	for i, n := range names {
		if ku&(1<<uint(i)) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func extKeyUsages(cert *x509.Certificate) []string {
	names := map[x509.ExtKeyUsage]string{
		x509.ExtKeyUsageAny: "Any", x509.ExtKeyUsageServerAuth: "Server Authentication",
		x509.ExtKeyUsageClientAuth: "Client Authentication", x509.ExtKeyUsageCodeSigning: "Code Signing",
		x509.ExtKeyUsageEmailProtection: "E-mail Protection", x509.ExtKeyUsageTimeStamping: "Time Stamping",
		x509.ExtKeyUsageOCSPSigning: "OCSP Signing",
	}
	var out []string
	for _, u := range cert.ExtKeyUsage {
		if n, ok := names[u]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("ExtKeyUsage(%d)", u))
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		out = append(out, oid.String())
	}
	return out
}

func hexColon(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}

func abbreviate(serial *big.Int) string {
	s := serial.String()
	if len(s) > 10 {
		return s[:4] + "..." + s[len(s)-4:]
	}
	return s
}
