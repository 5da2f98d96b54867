/// step-ca's built-in X.509 templates (reference §6.4), character for character, so that an
/// operator who copies one into `options.x509.template` gets the same certificate.
enum X509TemplateTexts {
    /// The leaf template of JWK, X5C, OIDC, ACME and the other token provisioners.
    static let leaf = """
    {
    	"subject": {{ toJson .Subject }},
    	"sans": {{ toJson .SANs }},
    {{- if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}
    	"keyUsage": ["keyEncipherment", "digitalSignature"],
    {{- else }}
    	"keyUsage": ["digitalSignature"],
    {{- end }}
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """

    /// The leaf template of the cloud instance-identity provisioners: the CSR's common name, and
    /// the token's SANs when there are any, else the CSR's.
    static let instanceIdentityLeaf = """
    {
    	"subject": {"commonName": {{ toJson .Insecure.CR.Subject.CommonName }}},
    {{- if .SANs }}
    	"sans": {{ toJson .SANs }},
    {{- else }}
    	"dnsNames": {{ toJson .Insecure.CR.DNSNames }},
    	"emailAddresses": {{ toJson .Insecure.CR.EmailAddresses }},
    	"ipAddresses": {{ toJson .Insecure.CR.IPAddresses }},
    	"uris": {{ toJson .Insecure.CR.URIs }},
    {{- end }}
    {{- if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}
    	"keyUsage": ["keyEncipherment", "digitalSignature"],
    {{- else }}
    	"keyUsage": ["digitalSignature"],
    {{- end }}
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """

    /// The CSR-as-is template (K8sSA, OIDC admins): subject and every SAN from the request.
    static let certificateRequestLeaf = """
    {
    	"subject": {{ toJson .Insecure.CR.Subject }},
    	"dnsNames": {{ toJson .Insecure.CR.DNSNames }},
    	"emailAddresses": {{ toJson .Insecure.CR.EmailAddresses }},
    	"ipAddresses": {{ toJson .Insecure.CR.IPAddresses }},
    	"uris": {{ toJson .Insecure.CR.URIs }},
    {{- if typeIs "*rsa.PublicKey" .Insecure.CR.PublicKey }}
    	"keyUsage": ["keyEncipherment", "digitalSignature"],
    {{- else }}
    	"keyUsage": ["digitalSignature"],
    {{- end }}
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """

    /// An intermediate CA: may sign leaves only.
    static let intermediate = """
    {
    	"subject": {{ toJson .Subject }},
    	"keyUsage": ["certSign", "crlSign"],
    	"basicConstraints": {
    		"isCA": true,
    		"maxPathLen": 0
    	}
    }
    """

    /// A self-signed root CA with one level of intermediates.
    static let root = """
    {
    	"subject": {{ toJson .Subject }},
    	"issuer": {{ toJson .Subject }},
    	"keyUsage": ["certSign", "crlSign"],
    	"basicConstraints": {
    		"isCA": true,
    		"maxPathLen": 1
    	}
    }
    """
}
