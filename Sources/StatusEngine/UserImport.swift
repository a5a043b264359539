import Foundation
import StatusCore

/// One refused line of an import.
public struct ImportLineError: Sendable, Hashable {
    /// 1-based line number in the file.
    public var line: Int
    /// Why the line was refused.
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// What `users import` did.
public struct UsersImportReport: Sendable, Hashable {
    /// Lines applied (in one transaction).
    public var applied: Int
    /// Lines refused, in file order.
    public var errors: [ImportLineError]

    /// `{"applied": N, "rejected": M, "errors": [{"line", "reason"}]}`.
    public var json: JSONValue {
        .object([
            ("applied", .int(applied)), ("rejected", .int(errors.count)),
            ("errors", .array(errors.map { .object([("line", .int($0.line)), ("reason", .string($0.reason))]) })),
        ])
    }
}

/// The users import format: JSON Lines, one user a line,
/// `{"id": "u1", "country": "EG", "language": "ar", "birth_year": 1994, "contacts": ["u2"],
/// "blocked": [], "privacy": {"mode": "contacts_except", "list": ["u3"]}, "ads": true,
/// "read_receipts": true}`. Only `id` is required; a field left out keeps its stored value;
/// `null` clears `country`, `language` and `birth_year`. Unknown fields are errors.
public enum UserImport {
    /// The longest line accepted (a user with tens of thousands of contacts fits).
    public static let maxLineBytes = 4 << 20

    /// Parses every line; blank lines are skipped.
    public static func parse(jsonLines data: [UInt8], at now: Timestamp) -> (updates: [(line: Int, update: UserUpdate)], errors: [ImportLineError]) {
        var updates: [(Int, UserUpdate)] = []
        var errors: [ImportLineError] = []
        var start = 0, number = 0
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let currentYear = Int(now.civil.year)
        while start < data.count {
            number += 1
            var end = start
            while end < data.count && data[end] != 0x0A { end += 1 }
            var line = data[start..<end]
            if line.last == 0x0D { line = line.dropLast() }
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            if line.count > maxLineBytes {
                errors.append(ImportLineError(line: number, reason: "line is longer than \(maxLineBytes) bytes"))
                continue
            }
            do {
                updates.append((number, try parseLine(Data(line), currentYear: currentYear)))
            } catch let error as ImportProblem {
                errors.append(ImportLineError(line: number, reason: error.reason))
            } catch let error as DecodingError {
                errors.append(ImportLineError(line: number, reason: describe(error)))
            } catch {
                errors.append(ImportLineError(line: number, reason: "not a JSON object: \(error.localizedDescription)"))
            }
        }
        return (updates, errors)
    }

    struct ImportProblem: Error { var reason: String }

    static func parseLine(_ line: Data, currentYear: Int) throws -> UserUpdate {
        let decoder = JSONDecoder()
        decoder.userInfo[currentYearKey] = currentYear
        return try decoder.decode(Line.self, from: line).update
    }

    static let currentYearKey = CodingUserInfoKey(rawValue: "currentYear")!
    static let userKey = CodingUserInfoKey(rawValue: "user")!

    /// One user's update as a JSON object in the import format, for the user `id` (the HTTP
    /// API's `PUT /v1/users/{user}`): `id` may be left out, and must be `id` when given. Throws
    /// an `invalid` ``StoreError`` naming the field at fault.
    public static func update(of id: UserID, json: [UInt8], at now: Timestamp) throws -> UserUpdate {
        let decoder = JSONDecoder()
        decoder.userInfo[currentYearKey] = Int(now.civil.year)
        decoder.userInfo[userKey] = id
        do {
            return try decoder.decode(Line.self, from: Data(json)).update
        } catch let error as ImportProblem {
            throw StoreError(.invalid, error.reason)
        } catch let error as DecodingError {
            throw StoreError(.invalid, describe(error, whole: "body"))
        }
    }

    private struct Line: Decodable {
        var update: UserUpdate

        enum Key: String, CodingKey, CaseIterable {
            case id, country, language, birthYear = "birth_year", contacts, blocked, privacy, ads
            case readReceipts = "read_receipts"
        }

        init(from decoder: any Decoder) throws {
            guard (try? decoder.container(keyedBy: AnyCodingKey.self)) != nil else {
                throw ImportProblem(reason: "not a JSON object")
            }
            try decoder.rejectUnknownKeys(Key.allCases.map(\.rawValue))
            let c = try decoder.container(keyedBy: Key.self)
            let id: UserID
            if let given = decoder.userInfo[UserImport.userKey] as? UserID {
                id = given
                if c.contains(.id), try c.decode(UserID.self, forKey: .id) != given {
                    throw ImportProblem(reason: "id: must be \(given) (the user in the path) when given")
                }
            } else {
                guard c.contains(.id) else { throw ImportProblem(reason: "id: missing") }
                id = try c.decode(UserID.self, forKey: .id)
            }
            var update = UserUpdate(id: id)
            if c.contains(.country) {
                if let country = try c.decodeIfPresent(String.self, forKey: .country) {
                    guard CountryCode.isAssigned(country) else {
                        throw ImportProblem(reason: "country: \(country.debugDescription) is not an ISO 3166-1 alpha-2 code (upper case, e.g. \"EG\")")
                    }
                    update.country = .some(country)
                } else { update.country = .some(nil) }
            }
            if c.contains(.language) {
                if let language = try c.decodeIfPresent(String.self, forKey: .language) {
                    guard LanguageTag.isWellFormed(language) else {
                        throw ImportProblem(reason: "language: \(language.debugDescription) is not a BCP 47 language tag (e.g. \"ar\", \"pt-BR\")")
                    }
                    update.language = .some(language)
                } else { update.language = .some(nil) }
            }
            if c.contains(.birthYear) {
                if let year = try c.decodeIfPresent(Int.self, forKey: .birthYear) {
                    let current = decoder.userInfo[currentYearKey] as? Int ?? 9999
                    // Not a range: a time before 1900 makes `current` smaller than 1900.
                    guard year >= 1900, year <= current else {
                        throw ImportProblem(reason: "birth_year: \(year) is not between 1900 and \(current)")
                    }
                    update.birthYear = .some(year)
                } else { update.birthYear = .some(nil) }
            }
            for key in [Key.ads, .readReceipts, .contacts, .blocked, .privacy] where c.contains(key) {
                if try c.decodeNil(forKey: key) {
                    throw ImportProblem(reason: "\(key.rawValue): null is not a value here (leave the field out to keep it)")
                }
            }
            update.ads = try c.decodeIfPresent(Bool.self, forKey: .ads)
            update.readReceipts = try c.decodeIfPresent(Bool.self, forKey: .readReceipts)
            if let contacts = try c.decodeIfPresent([UserID].self, forKey: .contacts) {
                guard !contacts.contains(id) else { throw ImportProblem(reason: "contacts: a user cannot be their own contact") }
                update.contacts = contacts
            }
            if let blocked = try c.decodeIfPresent([UserID].self, forKey: .blocked) {
                guard !blocked.contains(id) else { throw ImportProblem(reason: "blocked: a user cannot block themselves") }
                update.blocked = blocked
            }
            if c.contains(.privacy) {
                update.privacy = try c.decode(Privacy.self, forKey: .privacy).audience
            }
            self.update = update
        }
    }

    private struct Privacy: Decodable {
        var audience: Audience

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(["mode", "list"])
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            let raw = try c.decode(String.self, forKey: AnyCodingKey(stringValue: "mode"))
            guard let mode = Audience.Mode(rawValue: raw) else {
                throw ImportProblem(reason: "privacy.mode: \(raw.debugDescription) is not one of contacts, contacts_except, only_share_with")
            }
            let list = try c.decodeIfPresent([UserID].self, forKey: AnyCodingKey(stringValue: "list")) ?? []
            if mode == .contacts && !list.isEmpty {
                throw ImportProblem(reason: "privacy.list: must be empty when the mode is contacts")
            }
            audience = Audience(mode: mode, list: list)
        }
    }

    static func describe(_ error: DecodingError, whole: String = "line") -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? whole : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let c):
            if c.codingPath.isEmpty { return "not valid JSON" }
            return "\(at(c.codingPath)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(at(c.codingPath + [key])): missing"
        case .typeMismatch(let type, let c): return "\(at(c.codingPath)): expected \(Self.name(type))"
        case .valueNotFound(let type, let c): return "\(at(c.codingPath)): expected \(Self.name(type)), found null"
        @unknown default: return "\(error)"
        }
    }

    private static func name(_ type: Any.Type) -> String {
        switch type {
        case is String.Type, is UserID.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "true or false"
        case is [UserID].Type, is [Any].Type: return "an array of user ids"
        default: return "\(type)"
        }
    }
}
