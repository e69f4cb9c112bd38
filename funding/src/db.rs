//! Opening the SQLite database: WAL, foreign keys, a busy timeout, migrations.
//!
//! Reads go through a small pool; every write goes through a second pool of exactly one
//! connection, and each write transaction starts with `BEGIN IMMEDIATE`. One writer means two
//! money movements can never interleave, and taking the write lock up front means a transaction
//! never fails half-way because another one upgraded to a writer first.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

/// How long a connection waits for SQLite's lock before giving up. Writes are serialised by the
/// single writer connection already; this only covers other processes (such as `check-ledger`)
/// touching the same file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Readers in the pool. Two cores serve the whole application, so more buys nothing.
const MAX_READERS: u32 = 8;

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database URL {url:?} is not a valid SQLite URL")]
    InvalidUrl {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not apply the database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The options every connection to `url` shares, such as the busy timeout.
fn connect_options(url: &str) -> Result<SqliteConnectOptions, OpenError> {
    SqliteConnectOptions::from_str(url)
        .map(|options| options.busy_timeout(BUSY_TIMEOUT))
        .map_err(|source| OpenError::InvalidUrl {
            url: url.to_owned(),
            source,
        })
}

/// The database handle shared by every store.
#[derive(Debug, Clone)]
pub struct Db {
    read: SqlitePool,
    write: SqlitePool,
}

impl Db {
    /// Opens (creating it and its folder when missing) the database at `url`, such as
    /// `sqlite://data/twofold.db`, and applies the migrations.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let options = connect_options(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true);

        // The default database lives under `data/`; make its folder as well as the file.
        if let Some(folder) = options.get_filename().parent()
            && !folder.as_os_str().is_empty()
        {
            std::fs::create_dir_all(folder)
                .map_err(|error| OpenError::Connect(sqlx::Error::Io(error)))?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .map_err(OpenError::Connect)?;
        sqlx::migrate!("../migrations")
            .run(&write)
            .await
            .map_err(OpenError::Migrate)?;

        let read = SqlitePoolOptions::new()
            .max_connections(MAX_READERS)
            .connect_with(options.read_only(true))
            .await
            .map_err(OpenError::Connect)?;

        Ok(Self { read, write })
    }

    /// Opens an existing database at `url` for reading only: nothing is created, migrated or
    /// written, so a checker pointed at a mistyped path fails instead of proving an empty
    /// ledger, and a production file is never migrated by the tool that inspects it.
    pub async fn open_existing(url: &str) -> Result<Self, OpenError> {
        let options = connect_options(url)?
            .create_if_missing(false)
            .read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        Ok(Self {
            read: pool.clone(),
            write: pool,
        })
    }

    /// The pool for reads. Never write through it: it is opened read-only.
    pub fn reader(&self) -> &SqlitePool {
        &self.read
    }

    /// Starts a write transaction that holds SQLite's write lock from its first statement. It
    /// rolls back when dropped without `commit`, so an early return can never leave half a
    /// movement behind.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }

    /// Answers whether the database responds; for `/healthz`.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.read)
            .await
            .is_ok()
    }

    /// Closes both pools, waiting for connections in use to be returned.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}
