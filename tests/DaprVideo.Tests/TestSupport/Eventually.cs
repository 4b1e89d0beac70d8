namespace DaprVideo.Tests.TestSupport;

/// <summary>Waits for a real condition of a running system (polled), never for a fixed time.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until <paramref name="condition"/> holds; fails naming <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (condition(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {seconds}s waiting for {what}; last: {value}");
            await Task.Delay(50); // polling interval of a real condition, not a synchronisation sleep
        }
    }
}
