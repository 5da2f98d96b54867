import PluginKit

/// A card's answer: data and the ISO 7816 status word.
struct CardResponse {
    var data: [UInt8]
    var status: UInt16

    var isSuccess: Bool { status == 0x9000 }
}

extension CardConnection {
    /// Sends a command with command chaining (CLA bit 0x10 on all but the last part, 255 bytes
    /// each) and collects a chained response (`61xx` + GET RESPONSE).
    func send(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = []) throws -> CardResponse {
        var remaining = data[...]
        var answer: [UInt8]
        repeat {
            let part = remaining.prefix(255)
            remaining = remaining.dropFirst(part.count)
            let last = remaining.isEmpty
            var command = [last ? cla : cla | 0x10, ins, p1, p2]
            if !part.isEmpty { command += [UInt8(part.count)] + part }
            if last { command.append(0x00) }  // Le: up to 256 bytes
            answer = try transmit(command)
            let status = UInt16(answer[answer.count - 2]) << 8 | UInt16(answer[answer.count - 1])
            if !last && status != 0x9000 {
                return CardResponse(data: [], status: status)
            }
        } while !remaining.isEmpty

        var body: [UInt8] = []
        while true {
            let status = UInt16(answer[answer.count - 2]) << 8 | UInt16(answer[answer.count - 1])
            body += answer[..<(answer.count - 2)]
            guard status >> 8 == 0x61 else { return CardResponse(data: body, status: status) }
            guard body.count < 1 << 20 else {
                throw PluginError.internal("the card in reader \"\(reader)\" keeps sending data (over 1 MiB)")
            }
            answer = try transmit([0x00, 0xC0, 0x00, 0x00, UInt8(status & 0xFF)])
        }
    }
}

/// ISO 7816 / PIV status words with their meaning, for error messages.
enum StatusWord {
    static func describe(_ status: UInt16) -> String {
        let hex = hex4(status)
        switch status {
        case 0x6982: return "\(hex): security status not satisfied"
        case 0x6983: return "\(hex): authentication method blocked"
        case 0x6A80: return "\(hex): incorrect data"
        case 0x6A81: return "\(hex): function not supported"
        case 0x6A82: return "\(hex): not found"
        case 0x6A84: return "\(hex): not enough memory"
        case 0x6A86: return "\(hex): incorrect parameters"
        case 0x6B00: return "\(hex): wrong parameters"
        case 0x6D00: return "\(hex): instruction not supported"
        case 0x6700: return "\(hex): wrong length"
        default: return hex
        }
    }
}

/// Four upper-case hex digits.
func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
