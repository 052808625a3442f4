package dev.eryao.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eryao.services.RunAccepted;
import dev.eryao.services.RunExecutionService;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One pass of the rescuer, with the fixture's clock: what it takes back, and what it leaves. */
class LeaseRescuerTest {
    private final RunFixture fixture = new RunFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void onePassTakesBackEveryExpiredLeaseAndNothingElse() throws Exception {
        RunFixture.Owner owner = fixture.owner(10_000);
        RunExecutionService runs = fixture.app.runExecution(fixture.settings(1, 3));
        RunAccepted first = fixture.enqueue(owner, "first");
        RunAccepted second = fixture.enqueueInNewSession(owner, "second");
        runs.claimNext("dead worker", fixture.clock.instant()).orElseThrow();
        runs.claimNext("dead worker", fixture.clock.instant()).orElseThrow();
        LeaseRescuer rescuer = new LeaseRescuer(runs, fixture.clock);

        assertThat(rescuer.runOnce()).as("leases still running").isEmpty();
        fixture.clock.advance(Duration.ofSeconds(RunFixture.LEASE_SECONDS + 1));
        assertThat(rescuer.runOnce()).containsExactlyInAnyOrder(first.taskId(), second.taskId());
        assertThat(rescuer.runOnce()).as("a second pass finds nothing more").isEmpty();
        assertThat(fixture.strings(
                        "SELECT status FROM agent_run WHERE owner_id = ?",
                        owner.user().id()))
                .containsOnly("queued");
    }

    @Test
    void passesComeAQuarterOfTheLeaseApartAndNoCloserThanASecond() {
        assertThat(LeaseRescuer.interval(Duration.ofSeconds(120))).isEqualTo(Duration.ofSeconds(30));
        assertThat(LeaseRescuer.interval(Duration.ofSeconds(2))).isEqualTo(LeaseRescuer.LEAST_INTERVAL);
    }
}
