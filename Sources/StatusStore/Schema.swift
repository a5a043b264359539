import GRDB

/// The schema, as a list of migrations applied in order from the first version on. A migration
/// once released is never edited: changes are new migrations appended here.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 users, posts, blobs, views, mutes, audit log") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2 purge index skips held posts") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3 feed change log") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4 ad inventory, spend, serves and events") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5 conversation starts, counters changed since a mark, budget leases") { db in
            try db.execute(sql: v5)
        }
        return migrator
    }

    /// Sponsored Status ads. Money in integer micros; `campaigns.spent_micros` is the lifetime
    /// spend and `campaign_days` the spend and counts per UTC day (days since 1970-01-01), both
    /// charged when an ad is served (`ad_serves`, one row per served ad, keyed by its event
    /// token's id). Events count once per token and type. A creative's files are blobs like a
    /// post's: `blobs.refs` counts `post_blobs` and `creative_blobs` rows together.
    static let v4 = """
        CREATE TABLE advertisers (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            chat TEXT
        ) WITHOUT ROWID;
        CREATE TABLE campaigns (
            id TEXT PRIMARY KEY NOT NULL,
            advertiser_id TEXT NOT NULL REFERENCES advertisers(id),
            bid_cpm_micros INTEGER NOT NULL CHECK (bid_cpm_micros > 0),
            daily_budget_micros INTEGER NOT NULL CHECK (daily_budget_micros > 0),
            total_budget_micros INTEGER NOT NULL CHECK (total_budget_micros > 0),
            start_at INTEGER NOT NULL,
            end_at INTEGER NOT NULL CHECK (end_at > start_at),
            targeting TEXT NOT NULL,
            pacing TEXT NOT NULL CHECK (pacing IN ('even', 'asap')),
            frequency_caps TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            spent_micros INTEGER NOT NULL DEFAULT 0 CHECK (spent_micros >= 0 AND spent_micros <= total_budget_micros),
            impressions INTEGER NOT NULL DEFAULT 0,
            clicks INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        -- Bumped by every change to the inventory (load, pause, resume), so that a serving
        -- process knows when to rebuild its targeting index.
        CREATE TABLE ad_inventory_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO ad_inventory_version (id, version) VALUES (1, 0);
        CREATE INDEX campaigns_by_advertiser ON campaigns(advertiser_id);
        CREATE TABLE campaign_days (
            campaign_id TEXT NOT NULL REFERENCES campaigns(id),
            day INTEGER NOT NULL,
            spent_micros INTEGER NOT NULL DEFAULT 0,
            served INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (campaign_id, day)
        ) WITHOUT ROWID;
        CREATE TABLE creatives (
            id TEXT PRIMARY KEY NOT NULL,
            campaign_id TEXT NOT NULL REFERENCES campaigns(id),
            headline TEXT NOT NULL,
            cta_type TEXT NOT NULL CHECK (cta_type IN ('message', 'visit')),
            cta_url TEXT,
            media_path TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
            format TEXT NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            duration_ms INTEGER
        ) WITHOUT ROWID;
        CREATE INDEX creatives_by_campaign ON creatives(campaign_id);
        CREATE TABLE creative_blobs (
            creative_id TEXT NOT NULL REFERENCES creatives(id),
            role TEXT NOT NULL CHECK (role IN ('original', 'display', 'thumb')),
            blob_id TEXT NOT NULL REFERENCES blobs(id),
            width INTEGER,
            height INTEGER,
            PRIMARY KEY (creative_id, role)
        ) WITHOUT ROWID;
        CREATE INDEX creative_blobs_by_blob ON creative_blobs(blob_id);
        CREATE TABLE ad_serves (
            token TEXT PRIMARY KEY NOT NULL,
            viewer_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL REFERENCES campaigns(id),
            advertiser_id TEXT NOT NULL,
            creative_id TEXT NOT NULL,
            slot INTEGER NOT NULL,
            price_cpm_micros INTEGER NOT NULL,
            cost_micros INTEGER NOT NULL CHECK (cost_micros >= 0),
            served_at INTEGER NOT NULL,
            day INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX ad_serves_by_viewer ON ad_serves(viewer_id, served_at);
        CREATE INDEX ad_serves_by_day ON ad_serves(day, creative_id);
        CREATE TABLE ad_events (
            token TEXT NOT NULL REFERENCES ad_serves(token),
            type TEXT NOT NULL CHECK (type IN ('impression', 'click', 'hide', 'block_advertiser')),
            at INTEGER NOT NULL,
            PRIMARY KEY (token, type)
        ) WITHOUT ROWID;
        CREATE TABLE hidden_advertisers (
            viewer_id TEXT NOT NULL,
            advertiser_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('hide', 'block')),
            at INTEGER NOT NULL,
            PRIMARY KEY (viewer_id, advertiser_id)
        ) WITHOUT ROWID;
        """

    /// A click on a `message` ad starts a conversation with the business: one row per served ad,
    /// with the chat handle it opened. `counters_seq` marks each campaign's spend, impressions
    /// and clicks with the counter of the last transaction that changed them
    /// (`ad_inventory_version.counters_seq`), so that a serving process re-reads only those.
    /// `budget_leases`: budget a serving process (`holder`) took for a campaign's day, charged to
    /// the campaign's spend when granted; `used_micros` is what its recorded serves cost, and the
    /// rest is refunded when the lease is released, or reclaimed by anyone once `expires_at`
    /// (Unix seconds, wall clock) has passed without the holder renewing it.
    static let v5 = """
        CREATE TABLE ad_conversations (
            token TEXT PRIMARY KEY NOT NULL REFERENCES ad_serves(token),
            advertiser_id TEXT NOT NULL,
            chat TEXT NOT NULL,
            at INTEGER NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE campaigns ADD COLUMN counters_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE ad_inventory_version ADD COLUMN counters_seq INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX campaigns_by_counters_seq ON campaigns(counters_seq);
        CREATE TABLE budget_leases (
            holder TEXT NOT NULL,
            campaign_id TEXT NOT NULL REFERENCES campaigns(id),
            day INTEGER NOT NULL,
            granted_micros INTEGER NOT NULL CHECK (granted_micros >= 0),
            used_micros INTEGER NOT NULL DEFAULT 0 CHECK (used_micros >= 0),
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (holder, campaign_id, day)
        ) WITHOUT ROWID;
        CREATE INDEX budget_leases_by_expiry ON budget_leases(expires_at);
        """

    /// Every change to what a viewer's feed reads, in commit order, so that an in-memory feed
    /// index can catch up with writes from any process (``SQLiteStatusStore/feedChanges(after:)``).
    /// `kind`: 1 user's contacts or blocks (`a` = user), 2 post (`n` = seq), 3 view (`n` = seq,
    /// `a` = viewer), 4 mute (`a` = viewer, `b` = author), 5 purge (`n` = cutoff). Entries name
    /// what changed; readers fetch its state as of their read. The purge trims old entries.
    static let v3 = """
        CREATE TABLE feed_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 5),
            n INTEGER,
            a TEXT,
            b TEXT
        );
        INSERT INTO feed_log (kind, n) VALUES (5, 0);
        """

    /// The purge walks expired posts by expiry; held posts never leave, so they stay out of its index.
    static let v2 = """
        DROP INDEX posts_by_expiry;
        CREATE INDEX posts_purgeable ON posts(expires_at) WHERE held = 0;
        """

    /// Timestamps are integer Unix seconds. `posts.seq` is the posting order.
    static let v1 = """
        CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL,
            country TEXT,
            language TEXT,
            birth_year INTEGER,
            ads INTEGER NOT NULL DEFAULT 1 CHECK (ads IN (0, 1)),
            read_receipts INTEGER NOT NULL DEFAULT 1 CHECK (read_receipts IN (0, 1)),
            privacy_mode TEXT NOT NULL DEFAULT 'contacts'
                CHECK (privacy_mode IN ('contacts', 'contacts_except', 'only_share_with'))
        ) WITHOUT ROWID;
        CREATE TABLE privacy_members (
            user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            member_id TEXT NOT NULL,
            PRIMARY KEY (user_id, member_id)
        ) WITHOUT ROWID;
        CREATE TABLE contacts (
            owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            contact_id TEXT NOT NULL,
            PRIMARY KEY (owner_id, contact_id)
        ) WITHOUT ROWID;
        CREATE INDEX contacts_by_contact ON contacts(contact_id, owner_id);
        CREATE TABLE blocks (
            blocker_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            blocked_id TEXT NOT NULL,
            PRIMARY KEY (blocker_id, blocked_id)
        ) WITHOUT ROWID;
        CREATE INDEX blocks_by_blocked ON blocks(blocked_id, blocker_id);

        CREATE TABLE posts (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            author_id TEXT NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('text', 'image', 'video')),
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL CHECK (expires_at = created_at + 86400),
            text TEXT,
            background TEXT,
            font INTEGER,
            caption TEXT,
            format TEXT,
            width INTEGER,
            height INTEGER,
            duration_ms INTEGER,
            audience_mode TEXT NOT NULL CHECK (audience_mode IN ('contacts', 'contacts_except', 'only_share_with')),
            state TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'deleted', 'taken_down')),
            held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
            takedown_reason TEXT,
            takedown_moderator TEXT,
            takedown_at INTEGER
        );
        CREATE INDEX posts_by_author ON posts(author_id, seq);
        CREATE INDEX posts_by_expiry ON posts(expires_at);
        CREATE INDEX posts_removed ON posts(state) WHERE state <> 'live';
        CREATE TABLE post_audience (
            post_seq INTEGER NOT NULL REFERENCES posts(seq) ON DELETE CASCADE,
            member_id TEXT NOT NULL,
            PRIMARY KEY (post_seq, member_id)
        ) WITHOUT ROWID;

        -- One row per stored file; refs counts the post_blobs rows using it.
        CREATE TABLE blobs (
            id TEXT PRIMARY KEY NOT NULL,
            content_type TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            refs INTEGER NOT NULL CHECK (refs >= 0),
            created_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE post_blobs (
            post_seq INTEGER NOT NULL REFERENCES posts(seq) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('original', 'display', 'thumb')),
            blob_id TEXT NOT NULL REFERENCES blobs(id),
            width INTEGER,
            height INTEGER,
            PRIMARY KEY (post_seq, role)
        ) WITHOUT ROWID;
        CREATE INDEX post_blobs_by_blob ON post_blobs(blob_id);
        -- Files whose last row is gone, committed for unlinking. Unlinking happens after that
        -- commit, so a crash leaves work to resume here, never a row without its file.
        CREATE TABLE doomed_blobs (
            id TEXT PRIMARY KEY NOT NULL,
            bytes INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE views (
            post_seq INTEGER NOT NULL REFERENCES posts(seq) ON DELETE CASCADE,
            viewer_id TEXT NOT NULL,
            viewed_at INTEGER NOT NULL,
            PRIMARY KEY (post_seq, viewer_id)
        ) WITHOUT ROWID;
        CREATE INDEX views_by_viewer ON views(viewer_id, post_seq);
        CREATE TABLE mutes (
            viewer_id TEXT NOT NULL,
            author_id TEXT NOT NULL,
            PRIMARY KEY (viewer_id, author_id)
        ) WITHOUT ROWID;

        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            post_id TEXT,
            reason TEXT,
            detail TEXT
        );
        CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """
}
