package dev.eryao.core.config;

/** How the backend's connections reach PostgreSQL. */
public enum PoolMode {
    /** A direct connection or Supabase's session pooler (port 5432): a session is ours while we hold it. */
    SESSION,
    /**
     * Supabase's transaction pooler (port 6543) or PgBouncer in transaction mode: consecutive
     * transactions may run on different server sessions, so nothing may rely on session state and
     * no server-side prepared statement survives a transaction. Migrations are refused here.
     */
    TRANSACTION
}
