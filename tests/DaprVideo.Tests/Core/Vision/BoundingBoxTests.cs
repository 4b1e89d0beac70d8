using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Vision;

public class BoundingBoxTests
{
    [Fact]
    public void Corners_in_ssd_order_become_x_y_w_h()
    {
        var box = BoundingBox.FromCorners(yMin: 0.2f, xMin: 0.1f, yMax: 0.7f, xMax: 0.4f);

        Assert.Equal(0.1f, box.X, 6);
        Assert.Equal(0.2f, box.Y, 6);
        Assert.Equal(0.3f, box.W, 6);
        Assert.Equal(0.5f, box.H, 6);
    }

    [Fact]
    public void Corners_outside_the_frame_are_clamped_and_swapped_corners_fixed()
    {
        var box = BoundingBox.FromCorners(yMin: 1.2f, xMin: -0.3f, yMax: 0.5f, xMax: 0.5f);

        Assert.Equal(new BoundingBox(0f, 0.5f, 0.5f, 0.5f), box);
    }

    [Fact]
    public void Caption_rounds_the_score_to_a_whole_percent()
    {
        var d = new Detection("person", 1, 0.875f, new BoundingBox(0, 0, 1, 1));
        Assert.Equal("person: 88%", d.Caption);
        Assert.Equal("cat: 5%", (d with { Label = "cat", Score = 0.0451f }).Caption);
    }
}
