/// A user of the messaging service as the Status engine knows them.
public struct User: Hashable, Sendable {
    public var id: UserID
    /// ISO 3166-1 alpha-2 country code, upper case (`EG`).
    public var country: String?
    /// BCP 47 language tag (`ar`, `pt-BR`).
    public var language: String?
    public var birthYear: Int?
    /// Whether the user may be shown sponsored Status ads (false: opted out or on a paid plan).
    public var ads: Bool
    /// Whether read receipts are on. Off hides the viewer list both ways.
    public var readReceipts: Bool
    /// The people in this user's address book (directed; visibility needs both directions).
    public var contacts: [UserID]
    /// The people this user blocked.
    public var blocked: [UserID]
    /// Who this user's new posts are shared with.
    public var privacy: Audience

    public init(id: UserID, country: String? = nil, language: String? = nil, birthYear: Int? = nil,
                ads: Bool = true, readReceipts: Bool = true, contacts: [UserID] = [], blocked: [UserID] = [],
                privacy: Audience = .contacts) {
        self.id = id
        self.country = country
        self.language = language
        self.birthYear = birthYear
        self.ads = ads
        self.readReceipts = readReceipts
        self.contacts = contacts
        self.blocked = blocked
        self.privacy = privacy
    }
}

/// One line of a users import: the id and whichever fields are to be set. A field left out
/// keeps its stored value (or the default for a new user), so importing the same file twice
/// changes nothing.
public struct UserUpdate: Hashable, Sendable {
    public var id: UserID
    public var country: String??
    public var language: String??
    public var birthYear: Int??
    public var ads: Bool?
    public var readReceipts: Bool?
    public var contacts: [UserID]?
    public var blocked: [UserID]?
    public var privacy: Audience?

    public init(id: UserID, country: String?? = nil, language: String?? = nil, birthYear: Int?? = nil,
                ads: Bool? = nil, readReceipts: Bool? = nil, contacts: [UserID]? = nil, blocked: [UserID]? = nil,
                privacy: Audience? = nil) {
        self.id = id
        self.country = country
        self.language = language
        self.birthYear = birthYear
        self.ads = ads
        self.readReceipts = readReceipts
        self.contacts = contacts
        self.blocked = blocked
        self.privacy = privacy
    }

    /// The user after this update is applied to `existing` (or to a new user's defaults).
    public func applied(to existing: User?) -> User {
        var user = existing ?? User(id: id)
        if let country { user.country = country }
        if let language { user.language = language }
        if let birthYear { user.birthYear = birthYear }
        if let ads { user.ads = ads }
        if let readReceipts { user.readReceipts = readReceipts }
        if let contacts { user.contacts = contacts }
        if let blocked { user.blocked = blocked }
        if let privacy { user.privacy = privacy }
        return user
    }
}
