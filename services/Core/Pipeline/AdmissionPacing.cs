using System.Globalization;

namespace DaprVideo.Core.Pipeline;

/// <summary>
/// While analysis is degraded, admits at most one new stream per settling time, and none while the rate sits at its
/// floor. A camera's load shows in the lag only after a few of its chunks; cameras admitted before then would all be
/// judged by a load that does not include it yet, and together they could push every stream past the floor. At the
/// floor, keeping up is not room: a camera costs its decode and encode whatever the rate (most of its cost there), so
/// one more can tip every stream behind (OverloadBench at twice capacity: 16 admitted at the floor, 0.95 s of video per
/// second). The rate climbs above the floor only after it kept up for a hold time, which is the room shown.
/// At the full rate there is no such risk: admitted at once. Thread-safe.
/// </summary>
public sealed class AdmissionPacing
{
    private readonly Lock _gate = new();
    private DateTimeOffset _lastAdmitted = DateTimeOffset.MinValue;

    /// <summary>
    /// Null (and the admission counted) unless degraded and either at <paramref name="floorFps"/> or the last admission
    /// is younger than <paramref name="settle"/>.
    /// </summary>
    public AdmissionRefusal? Admit(bool degraded, double rateFps, double floorFps, TimeSpan settle, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (degraded && rateFps <= floorFps + 1e-9)
            {
                var retry = TimeSpan.FromSeconds(Math.Ceiling(settle.TotalSeconds));
                return new AdmissionRefusal(string.Create(CultureInfo.InvariantCulture,
                    $"Analysis runs at its floor of {floorFps:0.##} fps and has not shown room for another camera; try again in {retry.TotalSeconds:0} s."), retry);
            }
            var since = now - _lastAdmitted;
            if (degraded && since >= TimeSpan.Zero && since < settle)
            {
                var wait = TimeSpan.FromSeconds(Math.Ceiling((settle - since).TotalSeconds));
                return new AdmissionRefusal(string.Create(CultureInfo.InvariantCulture,
                    $"Analysis is degraded to {rateFps:0.##} fps and the last camera added has not shown its load yet; try again in {wait.TotalSeconds:0} s."), wait);
            }
            _lastAdmitted = now;
            return null;
        }
    }
}
