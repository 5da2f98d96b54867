package ca

// Added at build time by scripts/install-step-cli.sh: `step ca init` of CLI 0.15.16 was written
// against the pki package of certificates 0.15, Debian ships certificates 0.19, whose PKI takes
// its address, DNS names and CA URL as constructor options instead of setters.

import (
	"fmt"
	"net"

	"github.com/smallstep/certificates/pki"
)

// setCAURL sets the default CA URL the way certificates 0.15 derived it: the given URL, or
// https://<first DNS name>[:<port unless 443>] from the listen address.
func setCAURL(p *pki.PKI, caURL, address string, dnsNames []string) {
	if caURL == "" && len(dnsNames) > 0 {
		caURL = "https://" + dnsNames[0]
		if _, port, err := net.SplitHostPort(address); err == nil && port != "443" {
			caURL = fmt.Sprintf("https://%s:%s", dnsNames[0], port)
		}
	}
	pki.WithCaURL(caURL)(p)
}
