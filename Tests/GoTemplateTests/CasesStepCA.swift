import GoTemplate

/// step-ca's default templates (go.step.sm/crypto x509util and sshutil) and examples from
/// smallstep's template documentation, rendered with the data step-ca builds.
enum StepCATemplates {
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

    static let iidLeaf = """
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

    static let ssh = """
    {
    	"type": {{ toJson .Type }},
    	"keyId": {{ toJson .KeyID }},
    	"principals": {{ toJson .Principals }},
    	"extensions": {{ toJson .Extensions }},
    	"criticalOptions": {{ toJson .CriticalOptions }}
    }
    """

    static func leafData(rsa: Bool) -> [String: Any] {
        [
            "Subject": ["commonName": "foo.example.com"],
            "SANs": [["type": "dns", "value": "foo.example.com"], ["type": "ip", "value": "10.1.2.3"]],
            "Token": ["sub": "foo.example.com", "iss": "admin@example.com", "email": "jane@example.com", "groups": ["ops", "dev"]],
            "Insecure": ["CR": [
                "PublicKey": TemplateValue.object(TemplateObject(goType: rsa ? "*rsa.PublicKey" : "*ecdsa.PublicKey")),
                "Subject": ["CommonName": "foo.example.com"],
                "DNSNames": ["foo.example.com", "foo"],
                "EmailAddresses": [Any](),
                "IPAddresses": ["10.1.2.3"],
                "URIs": [Any](),
            ], "User": ["role": "web"]],
        ]
    }
}

let stepCACases: [TemplateCase] = [
    TemplateCase("default leaf EC", StepCATemplates.leaf, StepCATemplates.leafData(rsa: false), out("""
    {
    	"subject": {"commonName":"foo.example.com"},
    	"sans": [{"type":"dns","value":"foo.example.com"},{"type":"ip","value":"10.1.2.3"}],
    	"keyUsage": ["digitalSignature"],
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """), go: false),
    TemplateCase("default leaf RSA", StepCATemplates.leaf, StepCATemplates.leafData(rsa: true), out("""
    {
    	"subject": {"commonName":"foo.example.com"},
    	"sans": [{"type":"dns","value":"foo.example.com"},{"type":"ip","value":"10.1.2.3"}],
    	"keyUsage": ["keyEncipherment", "digitalSignature"],
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """), go: false),
    TemplateCase("IID leaf without SANs", StepCATemplates.iidLeaf, StepCATemplates.leafData(rsa: false).merging(["SANs": [Any]()]) { $1 }, out("""
    {
    	"subject": {"commonName": "foo.example.com"},
    	"dnsNames": ["foo.example.com","foo"],
    	"emailAddresses": [],
    	"ipAddresses": ["10.1.2.3"],
    	"uris": [],
    	"keyUsage": ["digitalSignature"],
    	"extKeyUsage": ["serverAuth", "clientAuth"]
    }
    """), go: false),
    TemplateCase("intermediate", StepCATemplates.intermediate, ["Subject": ["commonName": "Acme Intermediate CA", "organization": ["Acme"]]], out("""
    {
    	"subject": {"commonName":"Acme Intermediate CA","organization":["Acme"]},
    	"keyUsage": ["certSign", "crlSign"],
    	"basicConstraints": {
    		"isCA": true,
    		"maxPathLen": 0
    	}
    }
    """), go: false),
    TemplateCase("root", StepCATemplates.root, ["Subject": ["commonName": "Acme Root CA"]], out("""
    {
    	"subject": {"commonName":"Acme Root CA"},
    	"issuer": {"commonName":"Acme Root CA"},
    	"keyUsage": ["certSign", "crlSign"],
    	"basicConstraints": {
    		"isCA": true,
    		"maxPathLen": 1
    	}
    }
    """), go: false),
    TemplateCase("ssh user", StepCATemplates.ssh, [
        "Type": "user", "KeyID": "jane@example.com", "Principals": ["jane", "jane@example.com"],
        "Extensions": ["permit-X11-forwarding": "", "permit-agent-forwarding": "", "permit-port-forwarding": "", "permit-pty": "", "permit-user-rc": ""],
        "CriticalOptions": [String: Any](),
    ], out("""
    {
    	"type": "user",
    	"keyId": "jane@example.com",
    	"principals": ["jane","jane@example.com"],
    	"extensions": {"permit-X11-forwarding":"","permit-agent-forwarding":"","permit-port-forwarding":"","permit-pty":"","permit-user-rc":""},
    	"criticalOptions": {}
    }
    """), go: false),
    TemplateCase("ssh host", StepCATemplates.ssh, [
        "Type": "host", "KeyID": "web1", "Principals": ["web1.internal"], "Extensions": nil as Any?, "CriticalOptions": nil as Any?,
    ], out("""
    {
    	"type": "host",
    	"keyId": "web1",
    	"principals": ["web1.internal"],
    	"extensions": null,
    	"criticalOptions": null
    }
    """), go: false),
    // From smallstep's "Templates" documentation: fail on missing data, SANs from the token,
    // user-supplied data, organization from templateData, email-based SSH principals.
    TemplateCase("docs: fail without email", """
    {{- if not .Token.email }}
      {{- fail "An email address is required" }}
    {{- end }}
    {"subject": {"commonName": {{ toJson .Token.email }}}}
    """, ["Token": ["sub": "x"]], err(.failed, "template: t:2:6: executing \"t\" at <fail \"An email address is required\">: error calling fail: An email address is required"), go: false),
    TemplateCase("docs: email subject", """
    {{- if not .Token.email }}
      {{- fail "An email address is required" }}
    {{- end }}
    {"subject": {"commonName": {{ toJson .Token.email }}}, "emailAddresses": {{ toJson (list .Token.email) }}}
    """, StepCATemplates.leafData(rsa: false), out("\n" + #"{"subject": {"commonName": "jane@example.com"}, "emailAddresses": ["jane@example.com"]}"#), go: false),
    TemplateCase("docs: organization from templateData", """
    {
    	"subject": {
    		"country": {{ toJson .Country }},
    		"organization": {{ toJson .Organization }},
    		"commonName": {{ toJson .Subject.CommonName }}
    	}
    }
    """, ["Country": "US", "Organization": "Acme Co.", "Subject": ["CommonName": "svc"]], out("""
    {
    	"subject": {
    		"country": "US",
    		"organization": "Acme Co.",
    		"commonName": "svc"
    	}
    }
    """), go: false),
    TemplateCase("docs: insecure user data", """
    {"subject": {"commonName": {{ toJson .Subject.commonName }}, "organizationalUnit": {{ toJson .Insecure.User.role }}}}
    """, StepCATemplates.leafData(rsa: false), out(#"{"subject": {"commonName": "foo.example.com", "organizationalUnit": "web"}}"#), go: false),
    TemplateCase("docs: SAN rewriting", """
    {"sans": [
    {{- range $i, $san := .SANs }}
      {{- if $i }},{{ end }}
      {{- if eq $san.type "dns" }}{"type": "dns", "value": {{ printf "%s.internal" $san.value | toJson }}}
      {{- else }}{{ toJson $san }}{{ end }}
    {{- end }}
    ]}
    """, StepCATemplates.leafData(rsa: false), out(#"{"sans": [{"type": "dns", "value": "foo.example.com.internal"},{"type":"ip","value":"10.1.2.3"}"# + "\n]}"), go: false),
    TemplateCase("docs: ssh principals from groups", """
    {"type": {{ toJson .Type }}, "principals": {{ toJson (concat .Principals .Token.groups) }}}
    """, ["Type": "user", "Principals": ["jane"], "Token": ["groups": ["ops", "dev"]]], out(#"{"type": "user", "principals": ["jane","ops","dev"]}"#), go: false),
    TemplateCase("docs: hasPrefix deny", """
    {{- range .SANs }}{{ if hasPrefix "admin." .value }}{{ fail "admin names are not allowed" }}{{ end }}{{ end }}ok
    """, ["SANs": [["type": "dns", "value": "admin.example.com"]]], err(.failed, "template: t:1:55: executing \"t\" at <fail \"admin names are not allowed\">: error calling fail: admin names are not allowed"), go: false),
    TemplateCase("docs: splitList email user", """
    {{ $parts := splitList "@" .Token.email }}{{ toJson (first $parts) }}
    """, ["Token": ["email": "jane@example.com"]], out(#""jane""#), go: false),
    TemplateCase("docs: extensions with default", """
    {"crlDistributionPoints": {{ toJson (default (list "http://crl.example.com/crl") .CRLs) }}}
    """, [String: Any](), out(#"{"crlDistributionPoints": ["http://crl.example.com/crl"]}"#), go: false),
]
