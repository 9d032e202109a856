package dev.zhyper.core.adapter;

import dev.zhyper.core.hyper.HeadShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The dispatch from the stable method id to its kind: what each method owns, as the enum's switches had it. */
class AdapterKindTest {

    /** The head widths the method switch had: 0, r, r², r·(d_in + d_out). */
    static int oldHeadWidth(AdapterMethod m, int r, int dIn, int dOut) {
        return switch (m) {
            case MTL -> 0;
            case DIAG -> r;
            case SQUARE -> r * r;
            case T2L -> r * (dIn + dOut);
        };
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void headWidthIsTheMethodsFormula(AdapterMethod m) {
        for (int[] d : new int[][] {{1, 1, 1}, {4, 64, 32}, {8, 896, 128}, {16, 2048, 2048}}) {
            assertEquals(oldHeadWidth(m, d[0], d[1], d[2]), m.kind().headWidth(d[0], d[1], d[2]), m + " " + Arrays.toString(d));
            assertEquals(m.kind().headWidth(d[0], d[1], d[2]), m.headWidth(d[0], d[1], d[2]));
        }
    }

    @Test
    void eachMethodMapsToItsOwnKind() {
        assertInstanceOf(MultiTaskLora.class, AdapterMethod.MTL.kind());
        assertInstanceOf(ZhyperDiag.class, AdapterMethod.DIAG.kind());
        assertInstanceOf(ZhyperSquare.class, AdapterMethod.SQUARE.kind());
        assertInstanceOf(TextToLora.class, AdapterMethod.T2L.kind());
    }

    @Test
    void everyPermittedKindIsRegisteredOnce() {
        Set<Class<?>> permitted = new HashSet<>();
        for (Class<?> c : AdapterKind.class.getPermittedSubclasses()) {
            if (c.isInterface()) {
                permitted.addAll(List.of(c.getPermittedSubclasses()));    // SharedLoraModulation: diag, square
            } else {
                permitted.add(c);
            }
        }
        List<Class<?>> registered = Arrays.stream(AdapterMethod.values()).<Class<?>>map(m -> m.kind().getClass()).toList();
        assertEquals(permitted, new HashSet<>(registered));
        assertEquals(registered.size(), new HashSet<>(registered).size(), "two methods share a kind");
    }

    @ParameterizedTest
    @EnumSource(AdapterMethod.class)
    void capabilitiesAsBefore(AdapterMethod m) {
        assertEquals(m != AdapterMethod.MTL, m.usesHypernetwork());
        assertEquals(m != AdapterMethod.T2L, m.hasSharedLora());
        assertEquals(EnumSet.of(AdapterMethod.DIAG, AdapterMethod.SQUARE).contains(m), m.kind().modulatesSharedLora());
    }

    @Test
    void idsAndParsingUnchanged() {
        assertEquals(List.of("mtl", "zhyper-diag", "zhyper-square", "t2l"),
                Arrays.stream(AdapterMethod.values()).map(AdapterMethod::id).toList());
        assertEquals(AdapterMethod.DIAG, AdapterMethod.parse("diag"));
        assertEquals(AdapterMethod.SQUARE, AdapterMethod.parse(" Zhyper-Square "));
        assertEquals(AdapterMethod.T2L, AdapterMethod.parse("T2L"));
        assertEquals(AdapterMethod.MTL, AdapterMethod.parse("mtl"));
        assertThrows(IllegalArgumentException.class, () -> AdapterMethod.parse("vera"));
    }

    @Test
    void headBiasByMethodAndOptions() {
        int r = 4;
        assertEquals(new HeadShape.LoraA(r, 64), AdapterMethod.T2L.kind().headBias(AdapterSpec.of(r, AdapterMethod.T2L), 64));
        for (AdapterMethod m : List.of(AdapterMethod.DIAG, AdapterMethod.SQUARE)) {
            AdapterSpec spec = AdapterSpec.of(r, m);
            assertInstanceOf(HeadShape.Uniform.class, m.kind().headBias(spec, 64));
            assertInstanceOf(HeadShape.Uniform.class, m.kind().headBias(spec.withZParam(ZParametrisation.ONE_PLUS), 64));
            assertInstanceOf(HeadShape.Uniform.class, m.kind().headBias(spec.withVariant(LoraVariant.VERA), 64));
            assertInstanceOf(HeadShape.Zero.class, m.kind().headBias(spec.withZParam(ZParametrisation.ZERO_Z), 64));
            assertInstanceOf(HeadShape.Zero.class, m.kind().headBias(spec.withVariant(LoraVariant.LORA_XS), 64));
        }
        assertThrows(IllegalStateException.class,
                () -> AdapterMethod.MTL.kind().headBias(AdapterSpec.of(r, AdapterMethod.MTL), 64));
    }

    @Test
    void identityIsZEqualsI() {
        assertArrayEquals(new float[] {1, 1, 1}, AdapterMethod.DIAG.kind().identity(3));
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, AdapterMethod.SQUARE.kind().identity(3));
        assertThrows(IllegalStateException.class, () -> AdapterMethod.T2L.kind().identity(3));
    }

    @Test
    void siteShapeAsTheModulationApiReportsIt() {
        assertArrayEquals(new int[] {0}, AdapterMethod.MTL.kind().siteShape(4, 0));
        assertArrayEquals(new int[] {4}, AdapterMethod.DIAG.kind().siteShape(4, 4));
        assertArrayEquals(new int[] {4, 4}, AdapterMethod.SQUARE.kind().siteShape(4, 16));
        assertArrayEquals(new int[] {384}, AdapterMethod.T2L.kind().siteShape(4, 384));
    }
}
