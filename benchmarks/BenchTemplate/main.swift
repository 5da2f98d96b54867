// Render rate of step-ca's default X.509 leaf template: parse once, render N times with the
// data step-ca builds for a /sign request (subject, SANs, token claims, CSR with an EC key).
//
//   stepca-bench-template [iterations]
import Foundation
import GoTemplate

let leafTemplate = """
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

let iterations = CommandLine.arguments.count > 1 ? (Int(CommandLine.arguments[1]) ?? 200_000) : 200_000

let data: TemplateValue = .dict([
    "Subject": .dict(["commonName": .string("api.internal.example.com")]),
    "SANs": .array([
        .dict(["type": .string("dns"), "value": .string("api.internal.example.com")]),
        .dict(["type": .string("dns"), "value": .string("api")]),
        .dict(["type": .string("ip"), "value": .string("10.0.3.17")]),
    ]),
    "Token": .dict([
        "iss": .string("ops@example.com"), "sub": .string("api.internal.example.com"),
        "aud": .array([.string("https://ca.example.com:9000/1.0/sign")]),
        "nbf": .double(1_764_400_000), "exp": .double(1_764_400_300),
        "sans": .array([.string("api.internal.example.com"), .string("api"), .string("10.0.3.17")]),
        "jti": .string("5e8b6c1f0e6a4e1c9a8d1f0b2c3d4e5f"),
    ]),
    "Insecure": .dict([
        "CR": .dict([
            "PublicKey": .object(TemplateObject(goType: "*ecdsa.PublicKey")),
            "PublicKeyAlgorithm": .int(3),
            "subject": .dict(["commonName": .string("api.internal.example.com")]),
            "dnsNames": .array([.string("api.internal.example.com"), .string("api")]),
        ]),
    ]),
])

let parseStart = DispatchTime.now().uptimeNanoseconds
let template: Template
do {
    template = try Template(name: "leaf", text: leafTemplate)
} catch {
    FileHandle.standardError.write(Data("parse failed: \(error)\n".utf8))
    exit(1)
}
let parseMicros = Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1000

do {
    let first = try template.render(data)
    print(first)
    // Warm up.
    for _ in 0..<min(1000, iterations) { _ = try template.render(data) }
    var bytes = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { bytes &+= try template.render(data).utf8.count }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    print(String(format: "parse: %.1f µs", parseMicros))
    print(String(format: "renders: %d in %.3f s — %.0f renders/s, %.2f µs/render (%d bytes out)",
                 iterations, seconds, Double(iterations) / seconds, seconds * 1e6 / Double(iterations), bytes))
} catch {
    FileHandle.standardError.write(Data("render failed: \(error)\n".utf8))
    exit(1)
}
