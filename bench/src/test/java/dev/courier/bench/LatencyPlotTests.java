package dev.courier.bench;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyPlotTests {

    @TempDir
    Path dir;

    @Test
    void writesAPngOfTheChartsSize() throws Exception {
        Path png = dir.resolve("latency.png");
        LatencyPlot.writePng("Send latency", threeSeriesAndAnEmptyOne(), png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(LatencyPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LatencyPlot.HEIGHT);
        // the first three colours of the palette, the empty series taking none
        assertThat(colours(image)).contains(0x1f77b4, 0xff7f0e, 0x2ca02c).doesNotContain(0xd62728);
    }

    @Test
    void writesAnSvgThatParsesAndNamesEverySeriesButTheEmptyOne() throws Exception {
        Path svg = dir.resolve("latency.svg");
        LatencyPlot.writeSvg("Send latency <p99 & max>", threeSeriesAndAnEmptyOne(), svg);

        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(document.getDocumentElement().getAttribute("width")).isEqualTo("1200");
        String text = document.getDocumentElement().getTextContent();
        assertThat(text)
                .contains("Send latency <p99 & max>", "send", "sync wake-up", "fan-out & bridge")
                .contains("0%", "90%", "99%", "99.9%", "99.99%", "99.999%")
                .doesNotContain("idle");
        assertThat(document.getElementsByTagName("polyline").getLength()).isEqualTo(3);
    }

    @Test
    void drawsAnEmptyChartWhenEverySeriesIsEmpty() throws Exception {
        Path png = dir.resolve("empty.png");
        Path svg = dir.resolve("empty.svg");
        LatencyPlot.writePng("Nothing yet", Map.of("idle", new Histogram(3)), png);
        LatencyPlot.writeSvg("Nothing yet", Map.of(), svg);

        assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(LatencyPlot.WIDTH);
        Document document =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(document.getDocumentElement().getTextContent()).contains("no data");
    }

    @Test
    void labelsPercentilesByTheirDecadeOfOneOverOneMinusP() {
        assertThat(LatencyPlot.percentileLabel(0)).isEqualTo("0%");
        assertThat(LatencyPlot.percentileLabel(1)).isEqualTo("90%");
        assertThat(LatencyPlot.percentileLabel(2)).isEqualTo("99%");
        assertThat(LatencyPlot.percentileLabel(5)).isEqualTo("99.999%");
    }

    /** Log-normal latencies in microseconds, a few milliseconds at the median, with long tails. */
    private static Map<String, Histogram> threeSeriesAndAnEmptyOne() {
        Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("send", logNormal(1, 2_000, 0.4, 100_000));
        series.put("sync wake-up", logNormal(2, 6_000, 0.6, 20_000));
        series.put("idle", new Histogram(3));
        series.put("fan-out & bridge", logNormal(3, 12_000, 0.8, 5_000));
        return series;
    }

    private static Histogram logNormal(long seed, double medianMicros, double sigma, int count) {
        Random random = new Random(seed);
        Histogram histogram = new Histogram(3_600_000_000L, 3);
        for (int i = 0; i < count; i++) {
            histogram.recordValue(Math.max(1, Math.round(medianMicros * Math.exp(sigma * random.nextGaussian()))));
        }
        return histogram;
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return colours;
    }
}
