package dev.eryao.repositories;

import dev.eryao.core.db.BaseRepository;
import dev.eryao.core.db.CurrentSession;
import dev.eryao.core.db.Cursor;
import dev.eryao.core.db.NativeStatement;
import dev.eryao.core.db.Page;
import dev.eryao.core.db.PageRequest;
import dev.eryao.models.AgentChatMessage;
import dev.eryao.models.AgentRun;
import dev.eryao.models.MessageRole;
import dev.eryao.models.RunStatus;
import jakarta.persistence.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Messages of chat sessions. A session's messages form a tree by {@code parent_id} (regenerated
 * answers and edited questions are siblings), and what a run is sent or a page shows is one branch
 * of it, found by following ids, never by matching text. The recursive reads are native SQL (a
 * {@code WITH RECURSIVE}), so they run in units of work with a transaction; each says
 * {@code deleted_at IS NULL} itself.
 */
public class MessageRepository extends BaseRepository<AgentChatMessage> {
    /** The longest branch read: deeper history is left out of what a branch read returns. */
    public static final int BRANCH_MAX_MESSAGES = 10_000;

    // The run a message belongs to and its status: an answer's run wrote it; a question's run is
    // the first that answers it (a regenerated run answers it again).
    private static final String RUN_OF_MESSAGE = """
            LEFT JOIN LATERAL (
                SELECT r.id, r.status FROM agent_run r
                WHERE r.deleted_at IS NULL
                  AND ((m.run_id IS NOT NULL AND r.id = m.run_id) OR (m.run_id IS NULL AND r.question_id = m.id))
                ORDER BY r.created_at, r.id
                LIMIT 1) run ON true""";

    private static final String COLUMNS = """
            m.id, m.session_id, m.parent_id, run.id AS run_id, m.role, m.content, m.token_count, m.stopped,
            m.created_at, run.status AS run_status""";

    // A message and the messages it follows, back to the first of its session: newest first, at
    // most :limit of them; each answer says whether its run called tools, so that a chain of runs
    // that called none costs no read of steps (one index probe each here instead).
    private static final String CHAIN = """
            WITH RECURSIVE chain AS (
                SELECT id, parent_id, role, content, run_id, 1 AS depth FROM agent_chat_message
                WHERE id = :message AND owner_id = :owner AND deleted_at IS NULL
              UNION ALL
                SELECT m.id, m.parent_id, m.role, m.content, m.run_id, c.depth + 1 FROM chain c
                JOIN agent_chat_message m ON m.id = c.parent_id
                WHERE m.owner_id = :owner AND m.deleted_at IS NULL AND c.depth < :limit)
            SELECT c.role, c.content, c.run_id,
                c.run_id IS NOT NULL AND EXISTS (
                    SELECT 1 FROM agent_run_step s
                    WHERE s.run_id = c.run_id AND s.owner_id = :owner AND s.kind = 'tool') AS called_tools
            FROM chain c ORDER BY c.depth""";

    // The branch through a message of the session: the messages it follows, itself, and after it
    // the newest reply of each message in turn (the latest regenerate or edit), oldest first.
    private static final String BRANCH = """
            WITH RECURSIVE up AS (
                SELECT id, parent_id, 0 AS depth FROM agent_chat_message
                WHERE id = :through AND session_id = :session AND owner_id = :owner AND deleted_at IS NULL
              UNION ALL
                SELECT p.id, p.parent_id, u.depth - 1 FROM up u
                JOIN agent_chat_message p ON p.id = u.parent_id
                WHERE p.deleted_at IS NULL AND u.depth > -:max),
            down AS (
                SELECT id, depth FROM up WHERE depth = 0
              UNION ALL
                SELECT reply.id, d.depth + 1 FROM down d
                CROSS JOIN LATERAL (
                    SELECT n.id FROM agent_chat_message n
                    WHERE n.parent_id = d.id AND n.deleted_at IS NULL
                    ORDER BY n.created_at DESC, n.id DESC
                    LIMIT 1) reply
                WHERE d.depth < :max),
            branch AS (SELECT id, depth FROM up UNION SELECT id, depth FROM down)
            SELECT %s
            FROM branch b JOIN agent_chat_message m ON m.id = b.id
            %s
            ORDER BY b.depth""".formatted(COLUMNS, RUN_OF_MESSAGE);

    // Every message of the session, oldest first, a keyset page at a time.
    private static final String ALL = """
            SELECT %s
            FROM agent_chat_message m
            %s
            WHERE m.session_id = :session AND m.owner_id = :owner AND m.deleted_at IS NULL
              AND (CAST(:afterId AS uuid) IS NULL
                   OR (m.created_at, m.id) > (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid)))
            ORDER BY m.created_at, m.id
            LIMIT :limit""".formatted(COLUMNS, RUN_OF_MESSAGE);

    // Where a session's current branch ends: the newest message of its latest run (its answer),
    // else that run's question; for a session whose runs predate questions, its newest message.
    private static final String BRANCH_END = """
            SELECT coalesce(
                (SELECT coalesce(
                        (SELECT a.id FROM agent_chat_message a
                         WHERE a.run_id = l.id AND a.deleted_at IS NULL
                         ORDER BY a.created_at DESC, a.id DESC LIMIT 1),
                        l.question_id)
                 FROM agent_run l
                 WHERE l.session_id = :session AND l.deleted_at IS NULL
                 ORDER BY l.created_at DESC, l.id DESC LIMIT 1),
                (SELECT n.id FROM agent_chat_message n
                 WHERE n.session_id = :session AND n.deleted_at IS NULL
                 ORDER BY n.created_at DESC, n.id DESC LIMIT 1)) AS id""";

    // An answer was written to :question: the questions asked after it while its run was open
    // (they follow :question, and their runs have not started) follow the answer instead.
    // The replies are found by parent_id alone (a materialized CTE): with "deleted_at IS NULL" beside
    // it, PostgreSQL AND-ed the session index's whole partial bitmap (every live message) into the
    // search, 14-28 ms an answer in bench/run.
    private static final String FOLLOW_ANSWER = """
            WITH replies AS MATERIALIZED (
                SELECT id, role, deleted_at FROM agent_chat_message WHERE parent_id = :question)
            UPDATE agent_chat_message m SET parent_id = :answer, updated_at = :now
            FROM replies c
            WHERE m.id = c.id AND c.role = 'user' AND c.deleted_at IS NULL
              AND EXISTS (SELECT 1 FROM agent_run r
                          WHERE r.question_id = m.id AND r.attempts = 0 AND r.deleted_at IS NULL)""";

    // A claimed run's question that still follows a question (it was sent while that one's run was
    // open, and the answer's move of it missed it: it committed after the answer) follows that
    // question's answer instead — the newest, as every earlier run of the session has ended by the
    // time a run is claimed. Nothing to do for a question that follows an answer, or a question
    // left without one (its run failed: ContextFit leaves it out).
    private static final String FOLLOW_ANSWER_OF_PARENT = """
            UPDATE agent_chat_message q SET parent_id = answer.id, updated_at = :now
            FROM agent_chat_message p
            CROSS JOIN LATERAL (
                SELECT a.id FROM agent_chat_message a
                WHERE a.parent_id = p.id AND a.role = 'assistant' AND a.deleted_at IS NULL
                ORDER BY a.created_at DESC, a.id DESC
                LIMIT 1) answer
            WHERE q.id = :question AND q.owner_id = :owner AND q.deleted_at IS NULL
              AND p.id = q.parent_id AND p.role = 'user' AND p.deleted_at IS NULL""";

    public MessageRepository(CurrentSession sessions) {
        super(sessions, AgentChatMessage.class);
    }

    /**
     * The owner's message {@code messageId} and the messages it follows, newest first (at most
     * {@code limit}): the conversation that leads to it.
     */
    public List<MessageText> chainTo(UUID ownerId, UUID messageId, int limit) {
        return statement(CHAIN)
                .setParameter("message", messageId)
                .setParameter("owner", ownerId)
                .setParameter("limit", limit)
                .getResultList()
                .stream()
                .map(row -> new MessageText(
                        row.get("role", String.class),
                        row.get("content", String.class),
                        row.get("run_id", UUID.class),
                        row.get("called_tools", Boolean.class)))
                .toList();
    }

    /**
     * The branch of the owner's session through {@code throughId}, oldest first: the messages it
     * follows, itself, and the newest reply of each message after it. Empty when the session has
     * no such message.
     */
    public List<MessageWithRun> branchThrough(UUID ownerId, UUID sessionId, UUID throughId) {
        return statement(BRANCH)
                .setParameter("through", throughId)
                .setParameter("session", sessionId)
                .setParameter("owner", ownerId)
                .setParameter("max", BRANCH_MAX_MESSAGES)
                .getResultList()
                .stream()
                .map(MessageRepository::messageWithRun)
                .toList();
    }

    /** Where the session's current branch ends (see {@link #BRANCH_END}); null for a session with no message. */
    public UUID branchEnd(UUID sessionId) {
        return statement(BRANCH_END)
                .setParameter("session", sessionId)
                .getResultList()
                .getFirst()
                .get("id", UUID.class);
    }

    /** Every message of the owner's session, oldest first, a keyset page at a time. */
    public Page<MessageWithRun> pageOfSession(UUID ownerId, UUID sessionId, PageRequest request) {
        Cursor after = request.after();
        List<MessageWithRun> rows = statement(ALL)
                .setParameter("session", sessionId)
                .setParameter("owner", ownerId)
                .setParameter("afterAt", after == null ? null : after.createdAt(), Instant.class)
                .setParameter("afterId", after == null ? null : after.id(), UUID.class)
                .setParameter("limit", request.limit() + 1)
                .getResultList()
                .stream()
                .map(MessageRepository::messageWithRun)
                .toList();
        if (rows.size() <= request.limit()) {
            return new Page<>(rows, null);
        }
        List<MessageWithRun> page = rows.subList(0, request.limit());
        MessageWithRun last = page.getLast();
        return new Page<>(List.copyOf(page), new Cursor(last.createdAt(), last.id()));
    }

    /**
     * Records a run's answer to its question, and moves the questions asked after that question
     * while the run was open (their runs not started) to follow the answer: a second message sent
     * while the first is answered comes after the first's answer, in every later context.
     */
    public AgentChatMessage addAnswer(AgentChatMessage answer, Instant now) {
        AgentChatMessage added = add(answer);
        if (answer.getParentId() != null) {
            flushThen(FOLLOW_ANSWER)
                    .setParameter("answer", added.getId())
                    .setParameter("question", answer.getParentId())
                    .setParameter("now", now)
                    .executeUpdate();
        }
        return added;
    }

    /**
     * Makes a claimed run's question follow the answer of the question it follows, if it still
     * follows a question (see {@link #FOLLOW_ANSWER_OF_PARENT}): the claim's guarantee that a
     * second message is sent the first's answer, whatever order their transactions committed in.
     */
    public void followAnswerOfParent(UUID ownerId, UUID questionId, Instant now) {
        session()
                .createNativeQuery(FOLLOW_ANSWER_OF_PARENT, Tuple.class)
                .addSynchronizedEntityClass(AgentChatMessage.class)
                .setParameter("question", questionId)
                .setParameter("owner", ownerId)
                .setParameter("now", now)
                .executeUpdate();
    }

    private NativeStatement<Tuple> flushThen(String sql) {
        // The answer's insert is flushed first: the update names it (a foreign key).
        session().flush();
        return session().createNativeQuery(sql, Tuple.class).addSynchronizedEntityClass(AgentChatMessage.class);
    }

    private NativeStatement<Tuple> statement(String sql) {
        return session()
                .createNativeQuery(sql, Tuple.class)
                .addSynchronizedEntityClass(AgentChatMessage.class)
                .addSynchronizedEntityClass(AgentRun.class);
    }

    private static MessageWithRun messageWithRun(Tuple row) {
        String runStatus = row.get("run_status", String.class);
        return new MessageWithRun(
                row.get("id", UUID.class),
                row.get("session_id", UUID.class),
                row.get("parent_id", UUID.class),
                row.get("run_id", UUID.class),
                MessageRole.fromWireName(row.get("role", String.class)),
                row.get("content", String.class),
                row.get("token_count", Integer.class),
                row.get("stopped", Boolean.class),
                row.get("created_at", Instant.class),
                runStatus == null ? null : RunStatus.fromWireName(runStatus));
    }
}
