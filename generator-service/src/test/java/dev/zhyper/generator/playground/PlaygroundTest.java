package dev.zhyper.generator.playground;

import dev.zhyper.generator.Serving;
import dev.zhyper.generator.TinyModelResource;
import dev.zhyper.service.common.KafkaBrokerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The playground page (served from META-INF/resources/playground/) in headless Chromium driven by Selenium against
 * the running service, and its JSON endpoints over plain HTTP.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@QuarkusTestResource(TinyModelResource.class)
class PlaygroundTest {

    static final List<String> DESCRIPTIONS = TinyModelResource.DESCRIPTIONS;

    @TestHTTPResource("/playground/")
    URL page;

    @Inject
    Serving serving;

    String keyFor(String arm) {
        for (int i = 0; ; i++) {
            if (serving.chooser().choose("key-" + i).name().equals(arm)) return "key-" + i;
        }
    }

    @Test
    void theJsonEndpointsRelayZAndTheArms() {
        String key = keyFor("treatment");
        JsonPath z = given().contentType("application/json")
                .body(Map.of("description", DESCRIPTIONS.get(0), "user", key)).post("/zhyper/v1/modulation")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("treatment", z.getString("arm"));
        assertEquals(serving.armCheckpoints().get("treatment"), z.getString("checkpoint_id"));
        assertEquals("diag", z.getString("method"));
        List<Map<String, Object>> sites = z.getList("sites");
        assertFalse(sites.isEmpty());
        for (Map<String, Object> s : sites) {
            assertEquals(4, ((List<?>) s.get("values")).size(), "rank-4 diag: 4 numbers per site " + s);
        }
        assertTrue(sites.stream().anyMatch(s -> ((Number) s.get("layer")).intValue() > 0), "every layer: " + sites);
        given().contentType("application/json").body("{\"user\": \"x\"}").post("/zhyper/v1/modulation").then()
                .statusCode(400).body("error.param", equalTo("description"));
        given().contentType("application/json").body("{oops").post("/zhyper/v1/modulation").then()
                .statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().contentType("application/json").body(Map.of("description", "not one of the six"))
                .post("/zhyper/v1/modulation").then().statusCode(400).body("error.param", equalTo("description"));

        given().get("/zhyper/v1/serving").then().statusCode(200).body("base_model", equalTo("model"))
                .body("arms.name", equalTo(List.of("control", "treatment")))
                .body("arms[0].share", equalTo(0.9f))
                .body("arms[1].checkpoint_id", equalTo(serving.armCheckpoints().get("treatment")))
                .body("arms[0]", hasKey("status")).body("arms[0]", hasKey("gate"))
                .body("checkpoints", notNullValue()); // gate metrics of announced checkpoints: GeneratorCanaryTest
        given().get("/playground/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("Zhyper playground"));
        given().get("/playground/playground.js").then().statusCode(200);
    }

    @Test
    void typedDescriptionAndPromptStreamBothAnswersAndDrawZ() throws Exception {
        Optional<Path> chromium = onPath("chromium", "chromium-browser");
        Optional<Path> driverBinary = onPath("chromedriver").or(() -> existing(Path.of("/usr/lib/chromium/chromedriver")));
        if (chromium.isEmpty() || driverBinary.isEmpty()) {
            String why = "no headless Chromium: needs chromium and chromedriver on the PATH "
                    + "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)";
            if (System.getenv("CI") == null) Assumptions.abort(why);
            fail(why);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1100");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driverBinary.get().toFile()).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));
            browser.get(page.toString());
            wait.until(b -> b.findElement(By.id("serving-summary")).getText().contains("arms"));
            String description = DESCRIPTIONS.get(1);
            browser.findElement(By.id("description")).sendKeys(description);
            browser.findElement(By.id("prompt")).sendKeys("abc");
            WebElement max = browser.findElement(By.id("max-tokens"));
            max.clear();
            max.sendKeys("16");
            browser.findElement(By.id("send")).click();
            wait.until(b -> b.findElements(By.cssSelector(".turn .answer[data-done='true']")).size() == 2);
            wait.until(b -> !b.findElements(By.cssSelector("#z-chart rect.z-cell")).isEmpty());
            assertTrue(browser.findElements(By.cssSelector(".answer.error")).isEmpty(),
                    browser.findElement(By.id("turns")).getText());

            WebElement base = browser.findElement(By.cssSelector(".turn .answer.base"));
            WebElement adapted = browser.findElement(By.cssSelector(".turn .answer.adapted"));
            String arm = adapted.getDomAttribute("data-arm");
            assertEquals(serving.armCheckpoints().get(arm), adapted.getDomAttribute("data-checkpoint"));
            // what the page streamed = the API's non-streamed greedy answers on the same arm
            String key = keyFor(arm);
            assertEquals(answer(null, key), text(base), "base answer");
            assertEquals(answer(description, key), text(adapted), "adapted answer");
            assertFalse(text(adapted).isEmpty(), "the adapted answer appeared");
            assertTrue(adapted.findElement(By.className("meta")).getText().contains("arm " + arm));

            int values = given().contentType("application/json").body(Map.of("description", description, "user", key))
                    .post("/zhyper/v1/modulation").then().statusCode(200).extract().jsonPath()
                    .getList("sites.values.flatten()").size();
            assertEquals(values, browser.findElements(By.cssSelector("#z-chart rect.z-cell")).size(),
                    "one heatmap cell per z value");
            assertTrue(browser.findElement(By.id("z-meta")).getText().contains(arm));

            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Path out = Path.of("target", "playground.png");
            Files.copy(shot.toPath(), out, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(Files.size(out) > 10_000, "a screenshot was saved: " + out.toAbsolutePath());

            browser.findElement(By.id("tab-serving")).click();
            wait.until(b -> b.findElements(By.cssSelector("#arms-table tbody tr")).size() == 2);
            assertTrue(browser.findElement(By.id("arms-table")).getText().contains("90.0 %"));
            assertTrue(browser.findElement(By.id("arms-table")).getText().contains("accuracy vs served"));
            assertTrue(browser.findElement(By.id("checkpoints-table")).isDisplayed());
        } finally {
            browser.quit();
        }
    }

    private static String text(WebElement answer) {
        return answer.findElement(By.className("text")).getDomProperty("textContent");
    }

    private static String answer(String description, String key) {
        StringBuilder body = new StringBuilder("{\"model\": \"model\", \"messages\": [{\"role\": \"user\", \"content\": "
                + "\"abc\"}], \"max_tokens\": 16, \"temperature\": 0, \"user\": \"" + key + "\"");
        if (description != null) body.append(", \"description\": \"").append(description).append('"');
        return given().contentType("application/json").body(body.append('}').toString()).post("/v1/chat/completions")
                .then().statusCode(200).extract().jsonPath().getString("choices[0].message.content");
    }

    private static Optional<Path> onPath(String... names) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String n : names) {
            Optional<Path> p = Stream.of(path.split(File.pathSeparator)).map(d -> Path.of(d, n))
                    .filter(Files::isExecutable).findFirst();
            if (p.isPresent()) return p;
        }
        return Optional.empty();
    }

    private static Optional<Path> existing(Path p) {
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
}
