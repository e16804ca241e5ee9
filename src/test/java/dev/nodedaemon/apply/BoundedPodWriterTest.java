package dev.nodedaemon.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nodedaemon.apply.PodWriter.Outcome;
import dev.nodedaemon.apply.PodWriter.Result;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedPodWriterTest {

  private final PlanExecutorTest.RecordingWriter writer = new PlanExecutorTest.RecordingWriter();
  private final BoundedPodWriter bounded = new BoundedPodWriter(writer, Duration.ofMillis(300));
  private final Pod pod =
      new PodBuilder()
          .withNewMetadata()
          .withNamespace("ns")
          .withName("agent-n1")
          .endMetadata()
          .build();

  @Test
  void aWriteThatIsNeverAnsweredFailsAtTheDeadlineAndIsInterrupted() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    writer.answer =
        name -> {
          try {
            never.await();
          } catch (InterruptedException e) {
            interrupted.countDown();
          }
          return Result.DONE;
        };

    long start = System.nanoTime();
    Result result = bounded.create(pod);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.message()).contains("no answer from the API server");
    assertThat(tookMillis).isBetween(300L, 5_000L);
    assertThat(interrupted.await(5, TimeUnit.SECONDS))
        .as("the abandoned write interrupted")
        .isTrue();
  }

  @Test
  void anAnswerInTimeIsPassedOn() {
    writer.answer = name -> new Result(Outcome.CONFLICT, "changed");

    assertThat(bounded.delete(pod)).isEqualTo(new Result(Outcome.CONFLICT, "changed"));
    assertThat(writer.deletes).containsExactly("agent-n1");
  }

  @Test
  void whateverAWriteThrowsIsAFailedResult() {
    writer.answer =
        name -> {
          throw new StackOverflowError("deep");
        };

    Result result = bounded.create(pod);

    assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(result.message()).contains("StackOverflowError");
  }
}
