using DaprVideo.Core.Vision;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// Tracked detections of analysed frames scored against a scene's ground truth, in the spirit of CLEAR MOT
/// (Bernardin and Stiefelhagen 2008): each frame, every tracked detection is paired with the shown actor of its label
/// that it overlaps most (IoU at least <see cref="MinIou"/>, one detection per actor); an actor's identity switches when
/// its paired track id differs from the one it had last; its fragments are the distinct ids it was paired with.
/// </summary>
public sealed class TrackingScore
{
    /// <summary>The detector's box is not the photo's rectangle (a person is narrower than their photo): a loose overlap.</summary>
    public const double MinIou = 0.3;

    public MovingPhotoScene Scene { get; }

    /// <summary>Per actor: the (time, track id) pairs in time order.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(double T, long TrackId)>> Pairs { get; }

    /// <summary>Per track id: the actors it was paired with.</summary>
    public IReadOnlyDictionary<long, IReadOnlySet<string>> ActorsOfTrack { get; }

    /// <summary>Every track id drawn on an analysed frame, paired or not.</summary>
    public IReadOnlySet<long> TrackIds { get; }

    public TrackingScore(MovingPhotoScene scene, IEnumerable<(double T, IReadOnlyList<Detection> Detections)> frames)
    {
        Scene = scene;
        var pairs = scene.Actors.ToDictionary(a => a.Name, _ => new List<(double, long)>());
        var actorsOfTrack = new Dictionary<long, HashSet<string>>();
        var ids = new HashSet<long>();
        foreach (var (t, detections) in frames.OrderBy(f => f.T))
        {
            var candidates = new List<(double Iou, string Actor, long Id, int Detection)>();
            for (var j = 0; j < detections.Count; j++)
            {
                var d = detections[j];
                if (d.TrackId is not { } id) continue;
                ids.Add(id);
                foreach (var a in scene.Actors)
                {
                    if (a.Label != d.Label || a.RelativeRectAt(t, scene.Width, scene.Height) is not { } r) continue;
                    var iou = MovingPhotoScene.Iou(r, (d.Box.X, d.Box.Y, d.Box.W, d.Box.H));
                    if (iou >= MinIou) candidates.Add((iou, a.Name, id, j));
                }
            }
            // Greedy by overlap, one to one: enough for a handful of well separated actors.
            var usedActors = new HashSet<string>();
            var usedDetections = new HashSet<int>();
            foreach (var c in candidates.OrderByDescending(c => c.Iou))
            {
                if (!usedActors.Add(c.Actor)) continue;
                if (!usedDetections.Add(c.Detection))
                {
                    usedActors.Remove(c.Actor);
                    continue;
                }
                pairs[c.Actor].Add((t, c.Id));
                if (!actorsOfTrack.TryGetValue(c.Id, out var set)) actorsOfTrack[c.Id] = set = [];
                set.Add(c.Actor);
            }
        }
        Pairs = pairs.ToDictionary(p => p.Key, p => (IReadOnlyList<(double, long)>)p.Value);
        ActorsOfTrack = actorsOfTrack.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value);
        TrackIds = ids;
    }

    /// <summary>How often an actor's paired id differed from its previous one.</summary>
    public int IdentitySwitches(string actor)
    {
        var switches = 0;
        var list = Pairs[actor];
        for (var i = 1; i < list.Count; i++) if (list[i].TrackId != list[i - 1].TrackId) switches++;
        return switches;
    }

    public int IdentitySwitches() => Scene.Actors.Sum(a => IdentitySwitches(a.Name));

    /// <summary>Distinct track ids an actor was paired with (1 is one unbroken track; 0 never tracked).</summary>
    public int Fragments(string actor) => Pairs[actor].Select(p => p.TrackId).Distinct().Count();

    /// <summary>Fraction of the analysed frames at <paramref name="times"/> showing at least half of the actor on which it was tracked.</summary>
    public double Coverage(string actor, IEnumerable<double> times)
    {
        var a = Scene.Actors.Single(x => x.Name == actor);
        var shown = times.Where(t => a.VisibleFraction(t, Scene.Width, Scene.Height) >= 0.5).ToList();
        if (shown.Count == 0) return 1;
        var tracked = Pairs[actor].Select(p => p.T).ToHashSet();
        return (double)shown.Count(tracked.Contains) / shown.Count;
    }
}
