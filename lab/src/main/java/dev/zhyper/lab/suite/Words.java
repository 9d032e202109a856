package dev.zhyper.lab.suite;

import java.util.List;

/** Common short English words (3 to 6 lowercase letters, each with a vowel and a consonant) for the input pool. */
final class Words {
    private Words() {}

    static final List<String> COMMON = List.of(
            "cat", "dog", "sun", "hat", "map", "cup", "pen", "box", "fox", "bed",
            "car", "bus", "egg", "ice", "owl", "ant", "bee", "cow", "pig", "hen",
            "red", "tea", "sea", "day", "key", "toy", "bag", "jam", "net", "pot",
            "rug", "web", "zoo", "arm", "ear", "eye", "leg", "lip", "fan", "fig",
            "book", "tree", "fish", "bird", "cake", "door", "lamp", "moon", "star", "rain",
            "snow", "wind", "hill", "lake", "road", "ship", "boat", "milk", "rice", "soup",
            "corn", "bean", "leaf", "rose", "seed", "frog", "duck", "goat", "lion", "wolf",
            "bear", "deer", "hand", "foot", "nose", "hair", "ring", "bell", "coin", "desk",
            "sock", "shoe", "coat", "king", "song", "game", "kite", "drum", "nest", "gold",
            "blue", "pink", "cold", "warm", "fast", "slow", "soft", "dark", "idea", "time",
            "apple", "bread", "chair", "table", "house", "water", "light", "plant", "stone", "cloud",
            "river", "ocean", "beach", "field", "grass", "horse", "mouse", "tiger", "zebra", "camel",
            "snake", "whale", "shark", "eagle", "robin", "lemon", "melon", "grape", "peach", "onion",
            "sugar", "honey", "pizza", "pasta", "salad", "clock", "watch", "phone", "radio", "piano",
            "music", "dance", "story", "paper", "pencil", "brush", "paint", "color", "green", "black",
            "white", "brown", "happy", "quiet", "quick", "sleep", "dream", "smile", "laugh", "heart",
            "train", "truck", "plane", "wheel", "bike", "shirt", "dress", "scarf", "glove", "crown",
            "magic", "ghost", "candy", "toast", "juice", "spoon", "knife", "plate", "glass", "bottle",
            "kitten", "puppy", "rabbit", "turtle", "monkey", "donkey", "parrot", "spider", "beetle", "salmon",
            "garden", "forest", "island", "desert", "valley", "planet", "rocket", "winter", "summer", "autumn",
            "spring", "butter", "cheese", "carrot", "potato", "tomato", "cookie", "muffin", "orange", "banana",
            "cherry", "window", "mirror", "pillow", "basket", "bucket", "candle", "ladder", "hammer", "button",
            "pocket", "jacket", "sister", "mother", "father", "friend", "doctor", "artist", "farmer", "singer",
            "school", "market", "castle", "bridge", "tunnel", "circle", "square", "silver", "purple", "yellow",
            "gentle", "simple", "little", "bright", "silent", "frozen", "golden", "wonder", "number", "letter");
}
