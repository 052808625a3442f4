package dev.eryao.bench;

import dev.eryao.core.auth.TokenIssuer;
import dev.eryao.core.config.Secret;
import dev.eryao.core.config.Settings;
import dev.eryao.core.db.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.StringJoiner;

/**
 * {@code Fixtures <owners> <dir>}: writes the benchmark's rows (owners 1..n, one session each, a
 * large balance granted through the ledger so the ledger sums to it) with plain SQL, then the wrk
 * Lua scripts (one HS256 token per owner, signed with ERYAO_AUTH__JWT_SECRET) and the pgbench
 * scripts that send the same statements the application sends.
 */
public final class Fixtures {
    static final long GRANT = 1_000_000_000L;

    private Fixtures() {
    }

    public static void main(String[] args) throws Exception {
        int owners = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Settings settings = Settings.load();
        try (Database database = Database.open(settings); Connection connection = database.dataSource().getConnection()) {
            insertRows(connection, owners);
        }
        TokenIssuer tokens = new TokenIssuer(settings.auth().jwtSecret(), null);
        writeLua(dir, owners, tokens);
        writePgbench(dir, owners);
        System.out.println("fixtures: " + owners + " owners with a session and " + GRANT + " points each");
    }

    private static void insertRows(Connection connection, int owners) throws SQLException {
        String owner = "('" + BenchIds.OWNER_PREFIX + "' || lpad(i::text, 12, '0'))::uuid";
        String session = "('" + BenchIds.SESSION_PREFIX + "' || lpad(i::text, 12, '0'))::uuid";
        String[] statements = {
            // On the seeded free local model: a run is accepted only with a model, and a free one holds nothing.
            "INSERT INTO agent_chat_session (id, owner_id, title, llm_id) SELECT " + session + ", " + owner
                    + ", 'bench session ' || i, (SELECT id FROM llms WHERE model_code = 'llama3.2' AND is_active LIMIT 1)"
                    + " FROM generate_series(1, ?) i",
            "INSERT INTO points_balance (owner_id, balance) SELECT " + owner + ", " + GRANT + " FROM generate_series(1, ?) i",
            "INSERT INTO points_ledger (owner_id, amount, balance_after, reason, reference_type) SELECT " + owner
                    + ", " + GRANT + ", " + GRANT + ", 'bench grant', 'bench' FROM generate_series(1, ?) i",
        };
        for (String sql : statements) {
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                insert.setInt(1, owners);
                insert.executeUpdate();
            }
        }
        connection.commit();
    }

    private static void writeLua(Path dir, int owners, TokenIssuer issuer) throws IOException {
        StringJoiner sessions = new StringJoiner(",\n");
        StringJoiner tokens = new StringJoiner(",\n");
        Instant now = Instant.now();
        for (int i = 1; i <= owners; i++) {
            sessions.add("\"" + BenchIds.session(i) + "\"");
            tokens.add("\"" + issuer.sign(BenchIds.owner(i), "authenticated", Duration.ofHours(2), now) + "\"");
        }
        String data = "local sessions = {\n" + sessions + "\n}\nlocal tokens = {\n" + tokens + "\n}\n";
        Files.writeString(dir.resolve("get.lua"), data + """
                -- GET one owner's session with that owner's token (JWT verified on every request).
                request = function()
                  local i = math.random(#sessions)
                  return wrk.format("GET", "/v1/agent/sessions/" .. sessions[i],
                                    {["Authorization"] = "Bearer " .. tokens[i]})
                end
                """);
        Files.writeString(dir.resolve("enqueue.lua"), data + """
                -- POST a run with a unique Idempotency-Key per request; 202 expected.
                local counter = 0
                local thread_id = 0
                local created = 0
                setup = function(thread)
                  created = created + 1
                  thread:set("thread_id", created)
                end
                init = function(args)
                  thread_id = wrk.thread:get("thread_id")
                  math.randomseed(os.time() + thread_id)
                end
                request = function()
                  local i = math.random(#sessions)
                  counter = counter + 1
                  return wrk.format("POST", "/v1/agent/sessions/" .. sessions[i] .. "/runs",
                                    {["Authorization"] = "Bearer " .. tokens[i],
                                     ["Content-Type"] = "application/json",
                                     ["Idempotency-Key"] = os.time() .. "-" .. thread_id .. "-" .. counter},
                                    '{"input":"bench run"}')
                end
                """);
    }

    private static void writePgbench(Path dir, int owners) throws IOException {
        String owner = BenchIds.sql(BenchIds.OWNER_PREFIX, "i");
        String session = BenchIds.sql(BenchIds.SESSION_PREFIX, "i");
        // The SELECT Hibernate sends for SessionRepository.getOwnedWithActiveRun, as PostgreSQL's
        // log shows it: the owner's live session by id, with its run in flight.
        Files.writeString(dir.resolve("get.sql"), """
                \\set i random(1, %d)
                select acs1_0.id,acs1_0.created_at,acs1_0.llm_id,acs1_0.owner_id,acs1_0.title,acs1_0.updated_at,
                 (select ar1_0.id from agent_run ar1_0 where ar1_0.session_id=acs1_0.id
                   and ar1_0.status in ('queued','running') and ar1_0.deleted_at is null
                   order by case when ar1_0.status='running' then 0 else 1 end,ar1_0.created_at,ar1_0.id
                   fetch first 1 rows only)
                 from agent_chat_session acs1_0 where acs1_0.id=%s and acs1_0.owner_id=%s and acs1_0.deleted_at is null;
                """.formatted(owners, session, owner));
        // enqueueRun's two INSERTs, in one transaction.
        Files.writeString(dir.resolve("enqueue.sql"), """
                \\set i random(1, %d)
                BEGIN;
                INSERT INTO agent_chat_message (id, session_id, owner_id, role, content, token_count, created_at, updated_at)
                  VALUES (gen_random_uuid(), %s, %s, 'user', 'bench run', NULL, now(), now());
                INSERT INTO agent_run (id, session_id, owner_id, llm_id, status, input, attempts, idempotency_key,
                                       scheduled_at, created_at, updated_at)
                  VALUES (gen_random_uuid(), %s, %s, NULL, 'queued', 'bench run', 0, gen_random_uuid()::text,
                          now(), now(), now());
                COMMIT;
                """.formatted(owners, session, owner, session, owner));
        // PointsService.debit: the conditional UPDATE and the ledger INSERT, in one transaction.
        String debit = """
                BEGIN;
                UPDATE points_balance SET balance = balance - 1, updated_at = now()
                 WHERE owner_id = %s AND balance >= 1 RETURNING balance AS balance_after \\gset
                INSERT INTO points_ledger (id, owner_id, amount, balance_after, reason, reference_type, reference_id,
                                           idempotency_key, created_at)
                  VALUES (gen_random_uuid(), %s, -1, :balance_after, 'bench debit', 'bench', NULL, NULL, now());
                COMMIT;
                """.formatted(owner, owner);
        Files.writeString(dir.resolve("debit-hot.sql"), "\\set i 1\n" + debit);
        // The worker's two units of work for a no-op run, statement for statement as RunExecutionService
        // sends them: claim (the SKIP LOCKED statement, which skips runs of deleted sessions and runs
        // held back behind their session's open run, and announces the claim; then the model with
        // its factory, the question moved under its parent question's answer if it still follows a
        // question, and the chain of messages that leads to the question as context) and
        // completion (the guarded UPDATE that announces it, the assistant message following the
        // question, and the questions queued after it moved to follow the answer). A free run
        // debits nothing, so neither side touches the balance.
        Files.writeString(dir.resolve("claim-complete.sql"), """
                BEGIN;
                WITH next AS (SELECT id FROM agent_run q
                              WHERE status = 'queued' AND scheduled_at <= now() AND deleted_at IS NULL
                                AND cancel_requested_at IS NULL
                                AND NOT EXISTS (SELECT 1 FROM agent_chat_session s
                                                WHERE s.id = q.session_id AND s.deleted_at IS NOT NULL)
                                AND (SELECT 1 FROM agent_run e
                                     WHERE e.session_id = q.session_id AND e.status = 'running'
                                       AND e.deleted_at IS NULL LIMIT 1) IS NULL
                                AND (SELECT 1 FROM agent_run e
                                     WHERE e.session_id = q.session_id AND e.status = 'queued'
                                       AND e.deleted_at IS NULL AND (e.created_at, e.id) < (q.created_at, q.id)
                                     LIMIT 1) IS NULL
                              ORDER BY turn_at, id LIMIT 1 FOR UPDATE SKIP LOCKED),
                     claimed AS (
                UPDATE agent_run r SET status = 'running', attempts = r.attempts + 1, leased_by = 'pgbench',
                       lease_expires_at = now() + interval '2 minutes', started_at = coalesce(r.started_at, now()),
                       updated_at = now()
                FROM next WHERE r.id = next.id
                RETURNING r.id, r.attempts, r.session_id, r.owner_id, r.llm_id, r.held_points, r.input, r.question_id)
                SELECT id AS run_id, attempts AS attempt, session_id, owner_id, llm_id, held_points, input,
                       question_id FROM claimed
                 WHERE pg_notify('eryao_run', claimed.id || ' ' || claimed.session_id) IS NOT NULL \\gset
                SELECT l.id, l.context_tokens, l.created_at, l.display_name, l.factory_id, l.input_price_per_1k,
                       l.is_active, l.model_code, l.output_price_per_1k, l.request_url, l.updated_at, f.name
                  FROM llms l LEFT JOIN llm_factory f ON f.id = l.factory_id AND f.deleted_at IS NULL
                 WHERE l.deleted_at IS NULL AND l.id = :llm_id AND l.is_active = true;
                UPDATE agent_chat_message q SET parent_id = answer.id, updated_at = now()
                  FROM agent_chat_message p
                  CROSS JOIN LATERAL (SELECT a.id FROM agent_chat_message a
                                      WHERE a.parent_id = p.id AND a.role = 'assistant' AND a.deleted_at IS NULL
                                      ORDER BY a.created_at DESC, a.id DESC LIMIT 1) answer
                 WHERE q.id = :question_id AND q.owner_id = :owner_id AND q.deleted_at IS NULL
                   AND p.id = q.parent_id AND p.role = 'user' AND p.deleted_at IS NULL;
                WITH RECURSIVE chain AS (
                    SELECT id, parent_id, role, content, 1 AS depth FROM agent_chat_message
                    WHERE id = :question_id AND owner_id = :owner_id AND deleted_at IS NULL
                  UNION ALL
                    SELECT m.id, m.parent_id, m.role, m.content, c.depth + 1 FROM chain c
                    JOIN agent_chat_message m ON m.id = c.parent_id
                    WHERE m.owner_id = :owner_id AND m.deleted_at IS NULL AND c.depth < 100)
                SELECT role, content FROM chain ORDER BY depth;
                COMMIT;
                BEGIN;
                WITH finished AS (
                UPDATE agent_run SET status = 'succeeded', output = 'ok', error = NULL, input_tokens = 0, output_tokens = 0,
                       usage_estimated = false, cost_points = 0, charged_points = 0, charge_capped = false,
                       finished_at = now(), leased_by = NULL, lease_expires_at = NULL, updated_at = now()
                 WHERE id = :run_id AND status = 'running' AND leased_by = 'pgbench' AND attempts = :attempt
                RETURNING id, session_id)
                SELECT id FROM finished WHERE pg_notify('eryao_run', finished.id || ' ' || finished.session_id) IS NOT NULL;
                INSERT INTO agent_chat_message (id, session_id, owner_id, role, content, token_count, stopped,
                                                parent_id, run_id, created_at, updated_at)
                  VALUES (gen_random_uuid(), :session_id, :owner_id, 'assistant', 'ok', 0, false,
                          :question_id, :run_id, now(), now()) RETURNING id AS answer_id \\gset
                WITH replies AS MATERIALIZED (
                    SELECT id, role, deleted_at FROM agent_chat_message WHERE parent_id = :question_id)
                UPDATE agent_chat_message m SET parent_id = :answer_id, updated_at = now()
                  FROM replies c
                 WHERE m.id = c.id AND c.role = 'user' AND c.deleted_at IS NULL
                   AND EXISTS (SELECT 1 FROM agent_run r
                               WHERE r.question_id = m.id AND r.attempts = 0 AND r.deleted_at IS NULL);
                COMMIT;
                """);
        Files.writeString(dir.resolve("debit-many.sql"), "\\set i random(1, %d)\n".formatted(owners) + debit);
    }
}
