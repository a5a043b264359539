import Crypto
import Foundation
import StatusEngine

/// Who may call what: the feed service, moderators and ad ops, each with bearer tokens of its own.
public enum Role: String, CaseIterable, Sendable, Codable {
    case feed
    case moderator
    case adops
}

/// The bearer tokens each role accepts, held only as SHA-256 digests: the tokens themselves are
/// never stored. A presented token is hashed once and compared with every digest in constant
/// time, so timing tells nothing about how close a guess came.
public struct Access: Sendable {
    private let digests: [(role: Role, digest: [UInt8])]

    /// `hashes`: role name → lowercase hex SHA-256 digests of its tokens.
    public init(hashes: [String: [String]]) throws {
        var digests: [(Role, [UInt8])] = []
        for (name, list) in hashes.sorted(by: { $0.key < $1.key }) {
            guard let role = Role(rawValue: name) else {
                throw StoreError(.invalid, "unknown role \(name.debugDescription); roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for hex in list {
                guard let digest = Self.bytes(hex: hex), digest.count == 32 else {
                    throw StoreError(.invalid, "a token of role \(name) is not a SHA-256 digest in hex (64 characters)")
                }
                digests.append((role, digest))
            }
        }
        self.digests = digests
    }

    /// The hex SHA-256 digest of `token`, as configuration holds it.
    public static func digest(of token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The roles `token` is a token of (usually one), comparing with every digest.
    public func roles(of token: String) -> Set<Role> {
        let presented = Array(SHA256.hash(data: Array(token.utf8)))
        var roles = Set<Role>()
        for (role, digest) in digests {
            var difference: UInt8 = 0
            for (a, b) in zip(presented, digest) { difference |= a ^ b }
            if difference == 0 { roles.insert(role) }
        }
        return roles
    }

    static func bytes(hex: String) -> [UInt8]? {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: characters.count, by: 2) {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
