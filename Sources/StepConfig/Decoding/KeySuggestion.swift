/// Finds the known key an unknown key was probably meant to be.
enum KeySuggestion {
    /// The closest candidate by case-insensitive edit distance, if it is close
    /// enough to be a plausible typo (at most a third of its length, minimum 2).
    static func nearest(to key: String, in candidates: [String]) -> String? {
        let target = Array(key.lowercased())
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased()))
            if best == nil || distance < best!.distance {
                best = (candidate, distance)
            }
        }
        guard let best else { return nil }
        let allowed = max(2, best.candidate.count / 3)
        return best.distance <= allowed ? best.candidate : nil
    }

    /// Levenshtein distance (insert, delete, substitute each cost 1).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
