using DaprVideo.Core.Video;

namespace DaprVideo.Tests.Core.Video;

public sealed class FramePoolTests
{
    [Fact]
    public void A_returned_buffer_is_rented_again_at_its_exact_size()
    {
        var pool = new FramePool(maxKeptBytes: 10_000);
        var first = pool.Rent(3_000);
        Assert.Equal(3_000, first.Length);
        pool.Return(first);
        Assert.Equal(3_000, pool.KeptBytes);
        Assert.NotSame(first, pool.Rent(2_000)); // another size is another buffer
        Assert.Same(first, pool.Rent(3_000));
        Assert.Equal(0, pool.KeptBytes);
    }

    [Fact]
    public void Beyond_its_byte_limit_the_pool_lets_buffers_go()
    {
        var pool = new FramePool(maxKeptBytes: 10_000);
        var rented = Enumerable.Range(0, 4).Select(_ => pool.Rent(3_000)).ToList();
        foreach (var b in rented) pool.Return(b);
        Assert.Equal(9_000, pool.KeptBytes); // the fourth would have made 12 000
        var again = Enumerable.Range(0, 4).Select(_ => pool.Rent(3_000)).ToList();
        Assert.Equal(3, again.Count(b => rented.Contains(b)));
        Assert.Equal(0, pool.KeptBytes);
    }
}
