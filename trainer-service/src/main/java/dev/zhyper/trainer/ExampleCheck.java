package dev.zhyper.trainer;

import dev.zhyper.core.model.ModelConfig;
import dev.zhyper.core.text.ChatTemplate;
import dev.zhyper.core.text.Prompting;
import dev.zhyper.core.text.TextTokenizer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;

/**
 * Intake check of a streamed example against the base model's tokenizer: an example that could never be trained on
 * as given is refused at once (to the DLQ, with the reason) instead of failing or being truncated in every round
 * that samples it. Refused: text the tokenizer cannot represent (decoding its tokens does not give the text back,
 * e.g. characters outside a char-level vocabulary), and a chat-templated prompt + response + end-of-sequence longer
 * than {@code zhyper.trainer.max-length} tokens (the same count SftBatch makes).
 */
@ApplicationScoped
public class ExampleCheck {

    @Inject
    TrainerSettings settings;

    private TextTokenizer tokenizer;
    private ChatTemplate template;

    private synchronized void load() {
        if (tokenizer != null) return;
        tokenizer = TextTokenizer.load(settings.modelDir());
        template = Prompting.templateFor(ModelConfig.load(settings.modelDir()), tokenizer);
    }

    /** Why the example can never be trained on, or empty when it can. */
    public synchronized Optional<String> problem(String task, String prompt, String response) {
        load();
        for (String[] f : new String[][] {{"prompt", prompt}, {"response", response}}) {
            int[] ids = tokenizer.encode(f[1], false);
            String back = tokenizer.decode(ids, true);
            if (!back.strip().equals(f[1].strip())) {
                return Optional.of("the " + f[0] + " of task '" + task + "' has characters the base model's tokenizer"
                        + " cannot represent (it reads back as '" + back + "')");
            }
        }
        int p = tokenizer.encode(template.render(null, prompt), false).length;
        int r = tokenizer.encode(response, false).length;
        int n = p + r + 1;
        if (n > settings.maxLength()) {
            return Optional.of("example of task '" + task + "' is " + n + " tokens (chat-templated prompt " + p
                    + " + response " + r + " + end of sequence), more than zhyper.trainer.max-length "
                    + settings.maxLength() + ": it could never be trained on whole");
        }
        return Optional.empty();
    }

    @PreDestroy
    synchronized void close() {
        if (tokenizer != null) tokenizer.close();
    }
}
