package dev.zhyper.lab.suite;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written paraphrase parts for every task family. {@link Descriptions} slots them into sentence frames.
 * The only placeholder inside a part is {@code {obj}} (the word for the input: "word", "string", ...).
 */
final class PhraseBook {
    private PhraseBook() {}

    static final String[] NUM = {"zero", "one", "two", "three", "four", "five", "six"};

    /** Paraphrase parts of one task. */
    static final class Parts {
        /** Imperative verb phrases, lowercase: "reverse the {obj}". */
        final List<String> cmds = new ArrayList<>();
        /** Verb phrases about "it", usable as a later step of a composition: "make it uppercase". */
        final List<String> steps = new ArrayList<>();
        /** Noun phrases naming the output: "the {obj} spelled backwards". */
        final List<String> nps = new ArrayList<>();
        /** Complete questions or indirect requests. */
        final List<String> asks = new ArrayList<>();
        /** Longer explanatory verb phrases about "it", lowercase: "write its letters in the opposite order". */
        final List<String> expls = new ArrayList<>();
        /** Complete hand-written descriptions. */
        final List<String> extras = new ArrayList<>();

        Parts cmd(String... s) { cmds.addAll(List.of(s)); return this; }
        Parts step(String... s) { steps.addAll(List.of(s)); return this; }
        Parts np(String... s) { nps.addAll(List.of(s)); return this; }
        Parts ask(String... s) { asks.addAll(List.of(s)); return this; }
        Parts expl(String... s) { expls.addAll(List.of(s)); return this; }
        Parts extra(String... s) { extras.addAll(List.of(s)); return this; }
    }

    private static String places(int k) {
        return k == 1 ? "one place" : NUM[k] + " places";
    }

    private static String steps(int k) {
        return k == 1 ? "one step" : NUM[k] + " steps";
    }

    private static String positions(int k) {
        return k == 1 ? "one position" : NUM[k] + " positions";
    }

    /** "first letter" / "first three letters". */
    private static String firstK(String which, int k) {
        return k == 1 ? which + " letter" : which + " " + NUM[k] + " letters";
    }

    /** "first letter" / "first 3 letters". */
    private static String firstKDigits(String which, int k) {
        return k == 1 ? which + " letter" : which + " " + k + " letters";
    }

    private static String kLetters(int k) {
        return k == 1 ? "one letter" : NUM[k] + " letters";
    }

    /** Parts of a non-composed task: {@code base} is the family for parametric tasks, the task name otherwise. */
    static Parts parts(String base, String param) {
        Parts p = new Parts();
        switch (base) {
            case "reverse" -> p
                    .cmd("reverse the {obj}", "write the {obj} backwards", "spell the {obj} backwards",
                            "write the letters of the {obj} in reverse order",
                            "flip the {obj} so that it reads from right to left")
                    .step("reverse it", "write the result backwards", "spell that backwards", "flip the result around")
                    .np("the {obj} spelled backwards", "the {obj} in reverse", "the reversed {obj}",
                            "the letters of the {obj} in reverse order")
                    .ask("What would the {obj} look like read from right to left?",
                            "How is the {obj} spelled backwards?",
                            "If you read the {obj} from the end to the start, what do you get?")
                    .expl("write its letters in the opposite order, starting from the last one",
                            "read it from the last letter to the first and write down what you read")
                    .extra("Backwards, please.", "Turn the order of the letters around.");
            case "upper" -> p
                    .cmd("convert the {obj} to uppercase", "write the {obj} in capital letters",
                            "capitalize every letter of the {obj}", "make all the letters of the {obj} uppercase",
                            "put the whole {obj} in upper case")
                    .step("make it uppercase", "put every letter in capitals", "convert the result to upper case",
                            "capitalize all of it")
                    .np("the {obj} in capital letters", "the uppercase version of the {obj}",
                            "the {obj} written in all caps")
                    .ask("How does the {obj} look when every letter is a capital?",
                            "What is the {obj} if you shout it in all caps?")
                    .expl("rewrite it so that every single letter becomes a capital letter",
                            "keep the same letters but change each one to its uppercase form")
                    .extra("All caps.", "Shout it!");
            case "capitalize" -> p
                    .cmd("capitalize the first letter of the {obj}", "make only the first letter of the {obj} uppercase",
                            "start the {obj} with a capital letter", "write the {obj} with an initial capital")
                    .step("capitalize its first letter", "give it an initial capital")
                    .np("the {obj} with its first letter capitalized", "the {obj} starting with a capital",
                            "the {obj} with an uppercase first letter")
                    .ask("How would the {obj} look at the start of a sentence?",
                            "What is the {obj} with just its opening letter made uppercase?")
                    .expl("turn its first letter into a capital and leave the rest in lowercase",
                            "change the opening letter to uppercase while every other letter stays small")
                    .extra("Write it like a name, with a capital at the front.");
            case "upper_last" -> p
                    .cmd("capitalize the last letter of the {obj}", "uppercase the end of the {obj}", "make only the final letter of the {obj} uppercase",
                            "turn the last letter of the {obj} into a capital",
                            "write the {obj} with a capital letter at the end")
                    .np("the {obj} with its last letter in upper case", "the {obj} ending in a capital letter",
                            "the {obj} with an uppercase final letter")
                    .ask("What is the {obj} with only its final letter capitalized?",
                            "How does the {obj} look if just the last letter is a capital?")
                    .expl("change only its final letter to uppercase and leave the others as they are",
                            "keep every letter lowercase except the very last one, which becomes a capital")
                    .extra("Capitalize the end, not the start.");
            case "upper_vowels" -> p
                    .cmd("capitalize the vowels in the {obj}", "uppercase the vowels of the {obj}", "make every vowel in the {obj} uppercase",
                            "write the vowels of the {obj} as capitals and leave the consonants alone",
                            "turn each a, e, i, o and u in the {obj} into a capital")
                    .np("the {obj} with its vowels in upper case", "the {obj} with capital vowels",
                            "the {obj} where only the vowels are uppercase")
                    .ask("What does the {obj} look like when only its vowels are capitals?",
                            "If every vowel in the {obj} were uppercase, how would it read?")
                    .expl("change each vowel, meaning a, e, i, o or u, to uppercase and keep the consonants lowercase",
                            "find the vowels and capitalize them, leaving every other letter untouched")
                    .extra("Vowels big, consonants small.");
            case "first_k" -> {
                int k = Integer.parseInt(param);
                String f = firstK("first", k);
                p.cmd("write the " + f + " of the {obj}", "keep only the " + f + " of the {obj}",
                                "cut the {obj} down to its " + f, "copy the " + f + " of the {obj} and drop the rest",
                                "take " + (k == 1 ? "just one letter" : "the first " + k + " letters")
                                        + " from the start of the {obj}")
                        .step("keep only the " + f, "cut it down to its " + f)
                        .np("the " + f + " of the {obj}", "the " + firstKDigits("first", k) + " of the {obj}",
                                "the beginning of the {obj}, " + kLetters(k) + " long")
                        .ask(k == 1 ? "Which letter does the {obj} start with?"
                                        : "Which " + NUM[k] + " letters does the {obj} begin with?",
                                k == 1 ? "What is the very first letter of the {obj}?"
                                        : "What are the first " + k + " letters of the {obj}?")
                        .expl("copy its " + f + " and ignore everything that comes after",
                                "write down only the " + f + ", counting from the left"
                                        + (k >= 3 ? ", or the whole thing if it is shorter than that" : ""));
                if (k == 1) {
                    p.extra("Initial letter only.");
                } else {
                    p.extra("Keep " + NUM[k] + " letters from the front.");
                }
            }
            case "last_k" -> {
                int k = Integer.parseInt(param);
                String f = firstK("last", k);
                p.cmd("write the " + f + " of the {obj}", "keep only the " + f + " of the {obj}",
                                "cut the {obj} down to its " + f, "copy the " + f + " of the {obj} and drop the rest",
                                "take " + (k == 1 ? "just one letter" : "the last " + k + " letters")
                                        + " from the end of the {obj}")
                        .step("keep only the " + f, "cut it down to its " + f)
                        .np("the " + f + " of the {obj}", "the " + firstKDigits("final", k) + " of the {obj}",
                                "the ending of the {obj}, " + kLetters(k) + " long")
                        .ask(k == 1 ? "Which letter does the {obj} end with?"
                                        : "Which " + NUM[k] + " letters does the {obj} end with?",
                                k == 1 ? "What is the very last letter of the {obj}?"
                                        : "What are the last " + k + " letters of the {obj}?")
                        .expl("copy its " + f + " and ignore everything that comes before",
                                "write down only the " + f + ", counting from the right"
                                        + (k >= 3 ? ", or the whole thing if it is shorter than that" : ""));
                if (k == 1) {
                    p.extra("Final letter only.");
                } else {
                    p.extra("Keep " + NUM[k] + " letters from the back.");
                }
            }
            case "sort_asc" -> p
                    .cmd("sort the letters of the {obj} alphabetically", "alphabetize the {obj}", "arrange the letters of the {obj} in alphabetical order",
                            "put the letters of the {obj} in order from a to z",
                            "rearrange the {obj} so that its letters are sorted")
                    .step("sort its letters alphabetically", "put the letters in alphabetical order")
                    .np("the letters of the {obj} in alphabetical order", "the {obj} with its letters sorted from a to z",
                            "the alphabetically sorted letters of the {obj}")
                    .ask("What do you get if the letters of the {obj} are lined up alphabetically?",
                            "How would the {obj} look with its letters sorted like in a dictionary?")
                    .expl("rearrange its letters so that they follow alphabetical order, keeping any repeats",
                            "put its letters in order from a to z, the way they appear in the alphabet")
                    .extra("Alphabetize the letters.");
            case "sort_desc" -> p
                    .cmd("sort the letters of the {obj} in reverse alphabetical order", "sort the {obj} from z to a", "reverse-sort the {obj}",
                            "arrange the letters of the {obj} from z down to a",
                            "order the letters of the {obj} backwards through the alphabet",
                            "sort the {obj} so that later letters of the alphabet come first")
                    .np("the letters of the {obj} sorted from z to a", "the {obj} with its letters in descending order",
                            "the letters of the {obj} in reverse alphabetical order")
                    .ask("What do you get if you line up the letters of the {obj} starting from the end of the alphabet?",
                            "How would the {obj} look with its letters sorted from z to a?")
                    .expl("rearrange its letters in descending alphabetical order, so the letter closest to z comes first",
                            "put its letters in order from z down to a, keeping any repeated letters")
                    .extra("Sort descending.");
            case "count_letters" -> p
                    .cmd("count the letters in the {obj}", "say how many letters the {obj} has",
                            "give the length of the {obj} as a number", "write the number of letters in the {obj}")
                    .np("the number of letters in the {obj}", "the length of the {obj}",
                            "the letter count of the {obj}")
                    .ask("How long is the {obj}?", "How many letters does the {obj} contain?")
                    .expl("count its letters and answer with that number written in digits",
                            "report its length, that is how many characters it has, as a number")
                    .extra("Length?");
            case "count_vowels" -> p
                    .cmd("count the vowels in the {obj}", "say how many vowels the {obj} has",
                            "count how many times a, e, i, o or u appears in the {obj}",
                            "write the number of vowels in the {obj}")
                    .np("the number of vowels in the {obj}", "the vowel count of the {obj}",
                            "how many vowels there are in the {obj}")
                    .ask("How many vowels are in the {obj}?", "How many of the letters in the {obj} are vowels?")
                    .expl("count how many of its letters are a, e, i, o or u and answer with that number",
                            "tally up its vowels and write the total as digits")
                    .extra("Number of vowels?");
            case "count_consonants" -> p
                    .cmd("count the consonants in the {obj}", "say how many consonants the {obj} has",
                            "count the letters of the {obj} that are not vowels",
                            "write the number of consonants in the {obj}")
                    .np("the number of consonants in the {obj}", "the consonant count of the {obj}",
                            "how many consonants there are in the {obj}")
                    .ask("How many consonants are in the {obj}?", "How many letters of the {obj} are not vowels?")
                    .expl("count how many of its letters are consonants, meaning anything except a, e, i, o and u, and answer with that number",
                            "tally up the letters that are not vowels and write the total as digits")
                    .extra("Number of consonants?");
            case "caesar" -> {
                int k = Integer.parseInt(param);
                p.cmd("shift every letter of the {obj} " + places(k) + " forward in the alphabet",
                                "apply a Caesar shift of " + k + " to the {obj}",
                                "move each letter of the {obj} " + steps(k) + " along the alphabet",
                                "encode the {obj} with a Caesar cipher using a shift of " + NUM[k],
                                "replace each letter of the {obj} with the letter " + places(k) + " after it in the alphabet")
                        .step("shift each letter " + places(k) + " forward")
                        .np("the {obj} with every letter shifted " + places(k) + " forward",
                                "the Caesar cipher of the {obj} with shift " + k,
                                "the {obj} encrypted with a Caesar shift of " + NUM[k])
                        .ask("What does the {obj} become if every letter moves " + places(k) + " forward in the alphabet?",
                                "If you encrypt the {obj} with a Caesar shift of " + NUM[k] + ", what comes out?")
                        .expl("replace each letter by the one that comes " + places(k) + " later in the alphabet, wrapping around from z to a",
                                "advance every letter " + steps(k) + " through the alphabet, so that after z you start again at a")
                        .extra("Caesar cipher, shift " + k + ".");
                p.cmd("shift each letter by " + k, "shift the {obj} by " + NUM[k]);
                if (k == 1) {
                    p.cmd("replace each letter of the {obj} with the next letter of the alphabet");
                }
            }
            case "double_letters" -> p
                    .cmd("repeat each letter of the {obj} twice", "double every letter in the {obj}",
                            "write every letter of the {obj} two times in a row", "stutter each letter of the {obj}")
                    .step("double every letter", "write each letter twice")
                    .np("the {obj} with each letter doubled", "the {obj} with every letter written twice")
                    .ask("What happens to the {obj} if every letter is said twice?",
                            "How would the {obj} look if you typed each key two times?")
                    .expl("write each of its letters twice in a row, keeping the original order",
                            "copy it letter by letter, but put down every letter two times before moving on")
                    .extra("Double the letters.");
            case "rotate_left" -> {
                int k = Integer.parseInt(param);
                String f = firstK("first", k);
                p.cmd("move the " + f + " of the {obj} to the end", "rotate the {obj} " + places(k) + " to the left",
                                "rotate the {obj} left by " + k,
                                "cycle the letters of the {obj} " + positions(k) + " to the left",
                                "shift the letters of the {obj} leftward by " + NUM[k] + ", wrapping the front around to the back")
                        .step("rotate it " + places(k) + " to the left")
                        .np("the {obj} rotated " + places(k) + " to the left", "the {obj} with its " + f + " moved to the end",
                                "the left rotation of the {obj} by " + k)
                        .ask("What is the {obj} after rotating it " + places(k) + " to the left?",
                                "If the " + f + " of the {obj} jumped to the back, what would you get?")
                        .expl("take " + (k == 1 ? "its first letter off the front and attach it" : "its first " + NUM[k]
                                        + " letters off the front and attach them, in the same order,") + " to the end",
                                "rotate its letters " + positions(k) + " to the left, so that whatever is pushed off the front reappears at the back")
                        .extra("Left rotation by " + k + ".");
            }
            case "rotate_right" -> {
                int k = Integer.parseInt(param);
                String f = firstK("last", k);
                p.cmd("move the " + f + " of the {obj} to the front", "rotate the {obj} " + places(k) + " to the right",
                                "rotate the {obj} right by " + k,
                                "cycle the letters of the {obj} " + positions(k) + " to the right",
                                "shift the letters of the {obj} rightward by " + NUM[k] + ", wrapping the back around to the front")
                        .step("rotate it " + places(k) + " to the right")
                        .np("the {obj} rotated " + places(k) + " to the right", "the {obj} with its " + f + " moved to the front",
                                "the right rotation of the {obj} by " + k)
                        .ask("What is the {obj} after rotating it " + places(k) + " to the right?",
                                "If the " + f + " of the {obj} jumped to the front, what would you get?")
                        .expl("take " + (k == 1 ? "its last letter off the end and put it" : "its last " + NUM[k]
                                        + " letters off the end and put them, in the same order,") + " in front",
                                "rotate its letters " + positions(k) + " to the right, so that whatever falls off the end reappears at the front")
                        .extra("Right rotation by " + k + ".");
            }
            case "swap_halves" -> p
                    .cmd("swap the two halves of the {obj}", "swap the halves of the {obj}", "exchange the first half of the {obj} with the second half",
                            "cut the {obj} in the middle and put the back half first",
                            "split the {obj} into two halves and write them in the opposite order")
                    .np("the {obj} with its halves swapped", "the second half of the {obj} followed by the first half")
                    .ask("What happens to the {obj} if its back half trades places with its front half?",
                            "If you cut the {obj} in two and put the end piece first, what do you get?")
                    .expl("split it into a front half and a back half, where the back half gets the middle letter when the length is odd, and write the back half first",
                            "cut it in the middle, keeping the extra letter of an odd length with the second piece, and swap the two pieces")
                    .extra("Halves swapped.");
            case "remove_vowels" -> p
                    .cmd("remove the vowels from the {obj}", "delete every vowel in the {obj}",
                            "drop all the a, e, i, o and u letters from the {obj}", "write the {obj} without its vowels",
                            "strip the vowels out of the {obj}")
                    .step("remove the vowels", "take out all the vowels", "drop every vowel from it")
                    .np("the {obj} without vowels", "the {obj} with all its vowels deleted",
                            "the consonants of the {obj}, in their original order")
                    .ask("What is left of the {obj} once the vowels are gone?",
                            "How does the {obj} look if you leave out every a, e, i, o and u?")
                    .expl("delete every vowel, that is a, e, i, o and u, and keep the other letters in order",
                            "keep only the consonants, in the order they appear")
                    .extra("No vowels.");
            case "odd_letters" -> p
                    .cmd("keep every second letter of the {obj}, starting with the first", "keep the odd letters of the {obj}",
                            "write the letters of the {obj} in odd positions",
                            "keep the first, third and fifth letters of the {obj}",
                            "skip every other letter of the {obj}, keeping the first one")
                    .np("the odd-numbered letters of the {obj}", "every other letter of the {obj}, beginning with the first",
                            "the letters of the {obj} at positions one, three and five")
                    .ask("Which letters of the {obj} sit in the odd positions?",
                            "If you read the {obj} but skip every second letter, what do you read?")
                    .expl("go through its letters and keep the first, drop the second, keep the third, and so on",
                            "write down the letters in positions one, three, five and so on, counting from the left")
                    .extra("Odd positions only.", "Every other letter, from the first.");
            case "even_letters" -> p
                    .cmd("keep every second letter of the {obj}, starting with the second", "keep the even letters of the {obj}",
                            "write the letters of the {obj} in even positions",
                            "keep the second, fourth and sixth letters of the {obj}",
                            "drop the first letter of the {obj} and every other letter after it")
                    .np("the even-numbered letters of the {obj}", "every other letter of the {obj}, beginning with the second",
                            "the letters of the {obj} at positions two, four and six")
                    .ask("Which letters of the {obj} sit in the even positions?",
                            "If you read only every second letter of the {obj}, starting from the second one, what do you read?")
                    .expl("go through its letters and drop the first, keep the second, drop the third, and so on",
                            "write down the letters in positions two, four, six and so on, counting from the left")
                    .extra("Even positions only.", "Every other letter, from the second.");
            case "duplicate" -> p
                    .cmd("write the {obj} twice", "duplicate the {obj}", "repeat the {obj} two times with no space",
                            "say the {obj} twice, joined together")
                    .np("the {obj} written twice", "two copies of the {obj} joined together",
                            "the {obj} repeated once more right after itself")
                    .ask("What do you get if you write the {obj} twice in a row without a gap?",
                            "How does the {obj} look when it is glued to a copy of itself?")
                    .expl("write it out and then write it again immediately after, with no space in between",
                            "put two copies of it side by side to form one longer string")
                    .extra("Twice, no space.");
            case "append_letter" -> p
                    .cmd("add the letter " + param + " to the end of the {obj}", "append " + param + " to the {obj}",
                            "put one extra " + param + " after the {obj}", "finish the {obj} with the letter " + param,
                            "write the {obj} followed by the letter " + param)
                    .step("add " + param + " at the end")
                    .np("the {obj} with an extra " + param + " at the end", "the {obj} followed by " + param,
                            "the {obj} plus a final " + param)
                    .ask("What do you get if you stick the letter " + param + " onto the end of the {obj}?",
                            "How does the {obj} look with " + param + " added after its last letter?")
                    .expl("copy it exactly and then add the single letter " + param + " after its last letter",
                            "write it unchanged, followed immediately by " + param + ", without a space")
                    .extra("Append the letter " + param + ".");
            case "prepend_letter" -> p
                    .cmd("add the letter " + param + " to the front of the {obj}", "prepend " + param + " to the {obj}",
                            "put one extra " + param + " before the {obj}", "start the {obj} with the letter " + param,
                            "write the letter " + param + " followed by the {obj}")
                    .step("add " + param + " at the front")
                    .np("the {obj} with an extra " + param + " at the start", "the {obj} preceded by " + param,
                            "the letter " + param + " and then the {obj}")
                    .ask("What do you get if you stick the letter " + param + " onto the front of the {obj}?",
                            "How does the {obj} look with " + param + " added before its first letter?")
                    .expl("write the single letter " + param + " and then copy it exactly, without a space",
                            "put " + param + " in front of its first letter and leave everything else unchanged")
                    .extra("Prepend the letter " + param + ".");
            case "mirror" -> p
                    .cmd("write the {obj} followed by its reverse", "mirror the {obj}",
                            "make a palindrome by adding the reversed {obj} after it",
                            "write the {obj} forwards and then backwards")
                    .np("the {obj} followed by its reverse", "the {obj} and then the same {obj} backwards",
                            "the palindrome made from the {obj} and its mirror image")
                    .ask("What do you get when the {obj} is followed by its own mirror image?",
                            "How would the {obj} look if you wrote it out and then back again?")
                    .expl("write it normally and then immediately write it again from the last letter to the first",
                            "turn it into a palindrome by attaching its reversed copy to the end")
                    .extra("Forwards, then backwards.");
            case "hyphenate" -> p
                    .cmd("put a hyphen between each pair of letters in the {obj}", "hyphenate the {obj}",
                            "separate the letters of the {obj} with dashes",
                            "spell out the {obj} with hyphens between the letters",
                            "insert a dash between every two neighbouring letters of the {obj}")
                    .np("the {obj} with dashes between its letters", "the letters of the {obj} joined by hyphens",
                            "the hyphenated spelling of the {obj}")
                    .ask("How would you spell out the {obj} letter by letter, joined with dashes?",
                            "What does the {obj} look like with a hyphen after every letter except the last?")
                    .expl("write its letters one by one with a hyphen between neighbours, but none at the start or end",
                            "spell it out letter by letter, using a dash as the separator")
                    .extra("Dashes between letters.");
            case "swap_ends" -> p
                    .cmd("swap the first and last letters of the {obj}", "swap the ends of the {obj}",
                            "exchange the first letter of the {obj} with its last letter",
                            "switch the letters at the two ends of the {obj}",
                            "trade the opening and closing letters of the {obj}")
                    .np("the {obj} with its first and last letters swapped", "the {obj} with its end letters exchanged")
                    .ask("What do you get if the first and last letters of the {obj} change places?",
                            "How does the {obj} look when its two outer letters trade places?")
                    .expl("exchange its first and its last letter and leave the letters in between where they are",
                            "keep the middle as it is but put the final letter first and the first letter last")
                    .extra("Swap the ends.");
            default -> throw new IllegalArgumentException("no phrases for " + base);
        }
        return p;
    }

    /** Hand-written full descriptions of a composed task, on top of the ones built from its steps' parts. */
    static List<String> compositionExtras(String name) {
        return switch (name) {
            case "reverse_upper" -> List.of("Write the {obj} backwards in capital letters.",
                    "Spell the {obj} from right to left using only uppercase letters.",
                    "What is the {obj}, reversed and shouted in all caps?", "Backwards and in capitals.",
                    "Reverse, then all caps.");
            case "remove_vowels_reverse" -> List.of("Drop the vowels and read what remains backwards.",
                    "Write the consonants of the {obj} in reverse order.",
                    "Which consonants does the {obj} have, read from the end to the start?",
                    "No vowels, backwards.", "Consonants only, reversed.");
            case "first_3_upper" -> List.of("Write the first three letters of the {obj} in capitals.",
                    "Give the opening three letters of the {obj} as uppercase letters.",
                    "What are the first three letters of the {obj}, written in upper case?",
                    "First three letters, in caps.", "The opening three letters, capitalized.", "Three letters from the front, uppercase.");
            case "sort_upper" -> List.of("Sort the letters of the {obj} and write them in capitals.",
                    "Give the letters of the {obj} alphabetically, all uppercase.",
                    "What are the letters of the {obj} in alphabetical order, in capitals?",
                    "Sorted, then capitalized.", "Alphabetize it, then all caps.");
            case "reverse_double" -> List.of("Spell the {obj} backwards, saying every letter twice.",
                    "Write the {obj} from right to left with each letter doubled.",
                    "What is the {obj} read backwards with every letter repeated?",
                    "Backwards, with doubled letters.", "Reverse it and double each letter.");
            case "remove_vowels_upper" -> List.of("Write only the consonants of the {obj}, in capital letters.",
                    "Give the consonants of the {obj} in upper case.",
                    "What are the consonants of the {obj}, written as capitals?",
                    "Consonants only, in capitals.", "No vowels, all caps.");
            default -> List.of();
        };
    }
}
