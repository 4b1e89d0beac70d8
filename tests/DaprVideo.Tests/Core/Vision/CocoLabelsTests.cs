using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.Core.Vision;

public class CocoLabelsTests
{
    [Fact]
    public void Has_eighty_names_over_ids_one_to_ninety()
    {
        var all = CocoLabels.All.ToList();
        Assert.Equal(80, all.Count);
        Assert.Equal(1, all[0].ClassId);
        Assert.Equal(90, all[^1].ClassId);
        Assert.Equal(80, all.Select(a => a.Name).Distinct().Count());
    }

    [Theory]
    [InlineData(1, "person")]
    [InlineData(4, "motorcycle")]
    [InlineData(17, "cat")]
    [InlineData(47, "cup")]
    [InlineData(72, "tv")]
    [InlineData(90, "toothbrush")]
    public void Known_ids_map_to_their_names(int id, string name) => Assert.Equal(name, CocoLabels.NameOf(id));

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(26)]
    [InlineData(83)]
    [InlineData(91)]
    [InlineData(-1)]
    public void Gaps_and_out_of_range_ids_have_no_name(int id) => Assert.Null(CocoLabels.NameOf(id));
}
