namespace DaprVideo.Core.Vision;

/// <summary>
/// The COCO 2017 label map the SSD model was trained with: ids 1..90, of which 80 carry a name
/// (the gaps are categories COCO dropped before release).
/// </summary>
public static class CocoLabels
{
    public const int MaxClassId = 90;

    private static readonly string?[] Names = Build();

    /// <summary>The name for a 1-based class id, or null for a gap or an id out of range.</summary>
    public static string? NameOf(int classId) =>
        classId is >= 1 and <= MaxClassId ? Names[classId] : null;

    /// <summary>All named ids in ascending order.</summary>
    public static IEnumerable<(int ClassId, string Name)> All =>
        Enumerable.Range(1, MaxClassId).Where(i => Names[i] is not null).Select(i => (i, Names[i]!));

    private static string?[] Build()
    {
        var names = new string?[MaxClassId + 1];
        void Set(int id, string name) => names[id] = name;
        Set(1, "person"); Set(2, "bicycle"); Set(3, "car"); Set(4, "motorcycle"); Set(5, "airplane");
        Set(6, "bus"); Set(7, "train"); Set(8, "truck"); Set(9, "boat"); Set(10, "traffic light");
        Set(11, "fire hydrant"); Set(13, "stop sign"); Set(14, "parking meter"); Set(15, "bench");
        Set(16, "bird"); Set(17, "cat"); Set(18, "dog"); Set(19, "horse"); Set(20, "sheep");
        Set(21, "cow"); Set(22, "elephant"); Set(23, "bear"); Set(24, "zebra"); Set(25, "giraffe");
        Set(27, "backpack"); Set(28, "umbrella"); Set(31, "handbag"); Set(32, "tie"); Set(33, "suitcase");
        Set(34, "frisbee"); Set(35, "skis"); Set(36, "snowboard"); Set(37, "sports ball"); Set(38, "kite");
        Set(39, "baseball bat"); Set(40, "baseball glove"); Set(41, "skateboard"); Set(42, "surfboard");
        Set(43, "tennis racket"); Set(44, "bottle"); Set(46, "wine glass"); Set(47, "cup"); Set(48, "fork");
        Set(49, "knife"); Set(50, "spoon"); Set(51, "bowl"); Set(52, "banana"); Set(53, "apple");
        Set(54, "sandwich"); Set(55, "orange"); Set(56, "broccoli"); Set(57, "carrot"); Set(58, "hot dog");
        Set(59, "pizza"); Set(60, "donut"); Set(61, "cake"); Set(62, "chair"); Set(63, "couch");
        Set(64, "potted plant"); Set(65, "bed"); Set(67, "dining table"); Set(70, "toilet"); Set(72, "tv");
        Set(73, "laptop"); Set(74, "mouse"); Set(75, "remote"); Set(76, "keyboard"); Set(77, "cell phone");
        Set(78, "microwave"); Set(79, "oven"); Set(80, "toaster"); Set(81, "sink"); Set(82, "refrigerator");
        Set(84, "book"); Set(85, "clock"); Set(86, "vase"); Set(87, "scissors"); Set(88, "teddy bear");
        Set(89, "hair drier"); Set(90, "toothbrush");
        return names;
    }
}
