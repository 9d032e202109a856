package dev.zhyper.core;
import ai.djl.ndarray.*;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.*;
class SmokeTest {
  @Test void engineWorks() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.ones(new ai.djl.ndarray.types.Shape(2, 2));
      assertEquals(4f, a.sum().getFloat(), 0f);
      System.out.println("ENGINE " + m.getEngine().getEngineName() + " " + m.getEngine().getVersion());
    }
  }
}
