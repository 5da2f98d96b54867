/// step's built-in SSH certificate templates (reference §6.5), character for character.
enum SSHTemplateTexts {
    /// Type, key ID, principals, extensions and critical options from the template data.
    static let `default` = """
    {
    	"type": {{ toJson .Type }},
    	"keyId": {{ toJson .KeyID }},
    	"principals": {{ toJson .Principals }},
    	"extensions": {{ toJson .Extensions }},
    	"criticalOptions": {{ toJson .CriticalOptions }}
    }
    """

    /// OIDC admins: type, key ID and principals as requested; user certificates keep the data's
    /// extensions and critical options.
    static let admin = """
    {
    	"type": {{ toJson .Insecure.CR.Type }},
    	"keyId": {{ toJson .Insecure.CR.KeyID }},
    	"principals": {{ toJson .Insecure.CR.Principals }}
    {{- if eq .Insecure.CR.Type "user" }}
    	, "extensions": {{ toJson .Extensions }},
    	"criticalOptions": {{ toJson .CriticalOptions }}
    {{- end }}
    }
    """

    /// Cloud instance identities: the requested principals when there are any.
    static let instanceIdentity = """
    {
    	"type": {{ toJson .Type }},
    	"keyId": {{ toJson .KeyID }},
    {{- if .Insecure.CR.Principals }}
    	"principals": {{ toJson .Insecure.CR.Principals }},
    {{- else }}
    	"principals": {{ toJson .Principals }},
    {{- end }}
    	"extensions": {{ toJson .Extensions }}
    }
    """

    /// The request as is (K8sSA), with the five default extensions for user certificates.
    static let certificateRequest = """
    {
    	"type": "{{ .Insecure.CR.Type }}",
    	"keyId": "{{ .Insecure.CR.KeyID }}",
    	"principals": {{ toJson .Insecure.CR.Principals }}
    {{- if eq .Insecure.CR.Type "user" }}
    	, "extensions": {
    		"permit-X11-forwarding": "",
    		"permit-agent-forwarding": "",
    		"permit-port-forwarding": "",
    		"permit-pty": "",
    		"permit-user-rc": ""
    	}
    {{- end }}
    }
    """
}
