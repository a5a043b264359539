/// Who takes a moderation action and why: one rule for the command line and the HTTP API, so
/// that the audit log records the same kinds of names and reasons whichever way they came.
public enum ModerationInput {
    /// What is wrong with `moderator` or `reason`, or nil when both may be recorded: the field
    /// and the rule it breaks. A name is 1–128 characters and a reason 1–2000, neither only
    /// spaces nor holding a NUL (U+0000), which SQLite's C strings would cut the text at.
    public static func problem(moderator: String, reason: String?) -> (field: String, rule: String)? {
        if !acceptable(moderator, limit: 128) {
            return ("moderator", "give a name of 1–128 characters, not only spaces and without NUL")
        }
        if let reason, !acceptable(reason, limit: 2_000) {
            return ("reason", "give a reason of 1–2000 characters, not only spaces and without NUL")
        }
        return nil
    }

    private static func acceptable(_ text: String, limit: Int) -> Bool {
        !text.trimmingCharacters(in: .whitespaces).isEmpty && text.count <= limit && !text.utf8.contains(0)
    }
}
