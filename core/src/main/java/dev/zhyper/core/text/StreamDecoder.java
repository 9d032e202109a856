package dev.zhyper.core.text;

import java.util.Arrays;

/**
 * Incremental detokenizer for streaming generation: feed ids one by one with {@link #push(int)}
 * and get back the newly completed text fragment ({@code ""} while nothing new is complete).
 *
 * <p>Decoding single tokens in isolation is wrong for most real tokenizers: SentencePiece-style
 * decoders strip the leading space of the first token, and byte-fallback tokens
 * ({@code <0xE2>}) or byte-level BPE pieces only form valid UTF-8 together. So each step decodes a
 * window {@code ids[prefixOffset..]} that starts with already-emitted context and emits the part
 * beyond the decoded {@code ids[prefixOffset..readOffset)} — but only once the new text does not
 * end in U+FFFD (an incomplete UTF-8 sequence). This is the windowed form of "decode the whole
 * sequence and emit the new suffix" (as in text-generation-inference), keeping each step O(window).
 * If a decoder is not prefix-stable for a window, the step falls back to decoding the whole
 * sequence and emitting its new suffix.
 *
 * <p>Invariant: the concatenation of all returned fragments plus {@link #flush()} equals
 * {@code tokenizer.decode(allIds, skipSpecialTokens)} for prefix-stable decoders (all common ones).
 * Not thread-safe; use one instance per generated sequence.
 */
public final class StreamDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[32];
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder emitted = new StringBuilder();

    public StreamDecoder(TextTokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one id; returns the text completed by it (possibly empty, possibly several chars). */
    public String push(int id) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
        String prefixText = decodeRange(prefixOffset, readOffset);
        String newText = decodeRange(prefixOffset, size);
        if (newText.startsWith(prefixText)) {
            if (newText.length() > prefixText.length() && !endsIncomplete(newText)) {
                String delta = newText.substring(prefixText.length());
                prefixOffset = readOffset;
                readOffset = size;
                emitted.append(delta);
                return delta;
            }
            return "";
        }
        // Not prefix-stable for this window: compare against the whole sequence instead.
        String full = decodeRange(0, size);
        if (!endsIncomplete(full) && full.length() > emitted.length() && full.startsWith(emitted.toString())) {
            String delta = full.substring(emitted.length());
            prefixOffset = 0;
            readOffset = size;
            emitted.append(delta);
            return delta;
        }
        return "";
    }

    /**
     * Emits whatever is still pending at the end of the sequence, even an incomplete trailing
     * UTF-8 sequence (as U+FFFD). Further {@link #push} calls continue normally.
     */
    public String flush() {
        String full = decodeRange(0, size);
        String delta = full.startsWith(emitted.toString()) ? full.substring(emitted.length()) : "";
        emitted.append(delta);
        readOffset = size;
        prefixOffset = Math.max(0, size - 1);
        return delta;
    }

    /** All text emitted so far. */
    public String text() {
        return emitted.toString();
    }

    /** All ids pushed so far (a copy). */
    public int[] ids() {
        return Arrays.copyOf(ids, size);
    }

    /** Forgets all ids and emitted text. */
    public void reset() {
        size = 0;
        prefixOffset = 0;
        readOffset = 0;
        emitted.setLength(0);
    }

    private String decodeRange(int from, int to) {
        if (from >= to) return "";
        return tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }

    private static boolean endsIncomplete(String s) {
        return !s.isEmpty() && s.charAt(s.length() - 1) == REPLACEMENT;
    }
}
