import AWSKMS
import Crypto
import Foundation
import Testing

/// SigV4 against the published vectors of AWS's Signature Version 4 test suite
/// (`get-vanilla`, `get-vanilla-query-order-key-case`: AKIDEXAMPLE, 20150830T123600Z,
/// us-east-1, service `service`).
@Suite("AWSKMS SigV4 signer")
struct AWSKMSSigV4Tests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "service")
    let headers = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
    let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test("get-vanilla: canonical request, string to sign, signature and Authorization header")
    func getVanilla() {
        let result = signer.sign(method: "GET", path: "/", headers: headers, payloadSHA256: emptyHash,
                                 amzDate: "20150830T123600Z")
        #expect(result.canonicalRequest == """
            GET
            /

            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            \(emptyHash)
            """)
        #expect(result.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
            """)
        #expect(result.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(result.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test("get-vanilla-query-order-key-case: query parameters are sorted before signing")
    func queryOrder() {
        let result = signer.sign(method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
                                 headers: headers, payloadSHA256: emptyHash, amzDate: "20150830T123600Z")
        #expect(result.signature == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test("a different secret, date or region changes the signature")
    func inputsMatter() {
        let base = signer.sign(method: "GET", path: "/", headers: headers, payloadSHA256: emptyHash, amzDate: "20150830T123600Z")
        var other = signer
        other.credentials.secretAccessKey += "x"
        #expect(other.sign(method: "GET", path: "/", headers: headers, payloadSHA256: emptyHash, amzDate: "20150830T123600Z").signature != base.signature)
        other = signer
        other.region = "eu-west-1"
        #expect(other.sign(method: "GET", path: "/", headers: headers, payloadSHA256: emptyHash, amzDate: "20150830T123600Z").signature != base.signature)
    }

    @Test("X-Amz-Date is UTC in the basic ISO 8601 form")
    func amzDate() {
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }

    @Test("credentials never show their secret")
    func redacted() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t-value", sessionToken: "t0ken-value")
        #expect(!"\(credentials)".contains("s3cr3t-value"))
        #expect(!"\(credentials)".contains("t0ken-value"))
        #expect("\(credentials)".contains("AKIDEXAMPLE"))
    }
}
