import Foundation
import GoTemplate
import NamePolicy

/// The data step-ca hands an SSH certificate template (reference §6.5): `.Type`, `.KeyID`,
/// `.Principals`, `.Extensions` (the five `permit-*` for user certificates), `.CriticalOptions`,
/// `.Token`, `.Insecure.CR` (the request with Go's field names), `.Insecure.User` and the
/// provisioner's `templateData` keys.
enum SSHTemplateData {
    /// The extensions a user certificate gets by default; host certificates get none.
    static let defaultUserExtensions = ["permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding",
                                        "permit-pty", "permit-user-rc"]

    /// What the client asked for (`/ssh/sign`).
    struct Request {
        var type: SSHCertificateKind
        var keyID: String
        var principals: [String]
        /// The public key in authorized_keys form, for `.Insecure.CR.Key`.
        var publicKey: String
    }

    static func make(type: SSHCertificateKind, keyID: String, principals: [String], request: Request,
                     tokenPayload: Data?, provisionerData: TemplateValue?, userData: TemplateValue?) -> TemplateValue {
        func strings(_ values: [String]) -> TemplateValue { values.isEmpty ? .nil : .array(values.map { .string($0) }) }
        let crFields: [String: TemplateValue] = [
            "Type": .string(request.type.rawValue), "KeyID": .string(request.keyID), "Principals": strings(request.principals),
            "Key": .object(TemplateObject(goType: "*ssh.PublicKey", fields: [:], jsonValue: .string(request.publicKey))),
        ]
        let crJSON: [String: TemplateValue] = ["type": .string(request.type.rawValue), "keyId": .string(request.keyID),
                                               "principals": strings(request.principals)]
        var insecure: [String: TemplateValue] = [
            "CR": .object(TemplateObject(goType: "sshutil.CertificateRequest", fields: crFields, jsonValue: .dict(crJSON))),
        ]
        if let userData { insecure["User"] = userData }
        var top: [String: TemplateValue] = [
            "Type": .string(type.rawValue), "KeyID": .string(keyID), "Principals": strings(principals),
            "Extensions": type == .user ? .dict(Dictionary(uniqueKeysWithValues: defaultUserExtensions.map { ($0, .string("")) })) : .nil,
            "Insecure": .dict(insecure),
        ]
        if let tokenPayload, let token = try? TemplateValue(jsonData: tokenPayload) { top["Token"] = token }
        if case .map(let extra)? = provisionerData {
            for (key, value) in extra.entries { top[key] = value }
        }
        return .dict(top)
    }
}
