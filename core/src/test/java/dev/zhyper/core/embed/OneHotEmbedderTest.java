package dev.zhyper.core.embed;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

class OneHotEmbedderTest {

    final OneHotEmbedder ohe = new OneHotEmbedder(List.of("translate", "count", "summarise", "classify"));

    @Test
    void oneHotScaledBySqrtDim() {
        assertEquals(4, ohe.dim());
        float[] v = ohe.embed("summarise");
        assertArrayEquals(new float[] {0, 0, 2, 0}, v);
        assertEquals(Math.sqrt(4), Vectors.norm(v), 1e-6);
        float[][] batch = ohe.embed(List.of("translate", "classify", "translate"));
        assertArrayEquals(new float[] {2, 0, 0, 0}, batch[0]);
        assertArrayEquals(new float[] {0, 0, 0, 2}, batch[1]);
        assertNotSame(batch[0], batch[2]);
    }

    @Test
    void unknownLabelIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ohe.embed("Translate"));
        assertTrue(e.getMessage().contains("'Translate'"), e.getMessage());
        assertTrue(e.getMessage().contains("4 labels"), e.getMessage());
    }

    @Test
    void idDependsOnLabels() {
        assertTrue(ohe.id().startsWith("one-hot-4-"));
        assertEquals(ohe.id(), new OneHotEmbedder(List.of("translate", "count", "summarise", "classify")).id());
        assertNotEquals(ohe.id(), new OneHotEmbedder(List.of("count", "translate", "summarise", "classify")).id());
    }

    @Test
    void duplicateOrEmptyLabelsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new OneHotEmbedder(List.of("a", "b", "a")));
        assertThrows(IllegalArgumentException.class, () -> new OneHotEmbedder(List.of()));
    }
}
