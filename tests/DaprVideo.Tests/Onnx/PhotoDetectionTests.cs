using DaprVideo.Core.Video;
using DaprVideo.Core.Vision;
using DaprVideo.Media.Images;

namespace DaprVideo.Tests.Onnx;

/// <summary>
/// The real model on real photos with known content. Each reference box was found by drawing the
/// detection on the photo (ffmpeg drawbox) and checking by eye that it frames the object; the
/// values below are those by-eye extents, normalised to the photo.
/// </summary>
public class PhotoDetectionTests(DetectorFixture fixture) : IClassFixture<DetectorFixture>
{
    public static TheoryData<string, string, float, float, float, float> Photos => new()
    {
        // photo, label, x, y, w, h
        { "astronaut.png", "person", 0.05f, 0.02f, 0.67f, 0.94f },        // the astronaut from hair to the bottom edge, helmet excluded
        { "chelsea.png", "cat", 0.0f, 0.01f, 0.90f, 0.98f },              // the cat's face fills the frame
        { "coffee.png", "cup", 0.29f, 0.05f, 0.40f, 0.57f },              // the cup with its handle, not the saucer
        { "motorcycle_left.png", "motorcycle", 0.13f, 0.11f, 0.80f, 0.80f }, // front wheel to rear wheel
    };

    private static DecodedImage Load(string photo) => DecodedImage.Decode(File.ReadAllBytes(RepoPaths.Photo(photo)));

    [Theory]
    [MemberData(nameof(Photos))]
    public async Task Finds_the_object_where_it_is(string photo, string label, float x, float y, float w, float h)
    {
        var detections = (await fixture.Detector.DetectAsync([Load(photo).Frame]))[0];

        var best = detections.Where(d => d.Label == label).MaxBy(d => d.Score);
        Assert.NotNull(best);
        Assert.True(best.Score >= 0.5f);
        var iou = best.Box.IntersectionOverUnion(new BoundingBox(x, y, w, h));
        Assert.True(iou >= 0.7f, $"{label} box {best.Box} has IoU {iou:F2} with the reference");
    }

    [Fact]
    public async Task A_batch_gives_the_same_answers_as_single_frames()
    {
        var images = Photos.Select(row => Load((string)row[0])).ToArray();

        var batch = await fixture.Detector.DetectAsync(images.Select(i => i.Frame).ToArray());

        Assert.Equal(images.Length, batch.Length);
        for (var i = 0; i < images.Length; i++)
        {
            var single = (await fixture.Detector.DetectAsync([images[i].Frame]))[0];
            Assert.Equal(single.Select(d => (d.Label, d.Box)), batch[i].Select(d => (d.Label, d.Box)), new BoxComparer());
        }
    }

    [Fact]
    public async Task Rgb_and_bgra_frames_of_the_same_picture_agree()
    {
        var image = Load("coffee.png");
        var rgb = new byte[image.Width * image.Height * 3];
        FrameResizer.ResizeToRgb(image.Frame, image.Width, image.Height, rgb); // same size: a pure BGRA -> RGB copy

        var fromBgra = (await fixture.Detector.DetectAsync([image.Frame]))[0];
        var fromRgb = (await fixture.Detector.DetectAsync([ImageFrame.Rgb(rgb, image.Width, image.Height)]))[0];

        Assert.Equal(fromBgra.Select(d => d.Label), fromRgb.Select(d => d.Label));
        Assert.Equal(fromBgra[0].Score, fromRgb[0].Score, 4);
    }

    [Fact]
    public async Task An_empty_batch_returns_nothing() =>
        Assert.Empty(await fixture.Detector.DetectAsync([]));

    private sealed class BoxComparer : IEqualityComparer<(string Label, BoundingBox Box)>
    {
        public bool Equals((string Label, BoundingBox Box) a, (string Label, BoundingBox Box) b) =>
            a.Label == b.Label && a.Box.IntersectionOverUnion(b.Box) > 0.999f;

        public int GetHashCode((string Label, BoundingBox Box) obj) => obj.Label.GetHashCode(StringComparison.Ordinal);
    }
}
