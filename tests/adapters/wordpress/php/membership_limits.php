<?php
// A membership's effective limitations as Ultimate Multisite 2.4.10 computes them, written for
// planswitch's tests from the plugin's documented behaviour (not a copy of its code). Every
// rule cites Multisite-Ultimate/ultimate-multisite @ c6d398be.
//
// stdin: {"products": {"<id>": "<wu_limitations meta text>"},
//         "memberships": [{"id": 1, "plan_id": 2, "addon_products": "<column text>",
//                          "own": "<membership wu_limitations meta text or null>"}]}
// stdout: {"<membership id>": <the merged array>}

// WordPress's absint().
function absint($value) {
    return abs((int) $value);
}

function maybe_unserialize_value($text) {
    if (!is_string($text)) {
        return $text;
    }
    $value = @unserialize(trim($text), ['allowed_classes' => false]);
    return ($value === false && trim($text) !== 'b:0;') ? $text : $value;
}

// Limitations::early_get_limitations: the meta value, unserialized; [] when empty
// (inc/objects/class-limitations.php:410-416).
function stored_limitations($text) {
    return empty($text) ? [] : maybe_unserialize_value($text);
}

// wu_get_isset: `$array[$key] ?? $default` (inc/functions/helper.php:66-73).
function isset_or($array, $key, $default) {
    $array = is_array($array) ? $array : (array) $array;
    return $array[$key] ?? $default;
}

final class Merger {
    private $current_id = '';

    // Limitations::merge (inc/objects/class-limitations.php:229-252): a first argument that
    // is not a bool joins the END of the list, and the mode stays "sum".
    public function merge(array $start, $override, array $list): array {
        if (!is_bool($override)) {
            $list[] = $override;
            $override = false;
        }
        $result = $start;
        foreach ($list as $item) {
            if (!is_array($item)) {
                continue;
            }
            $this->merge_into($result, $item, !$override);
        }
        return $result;
    }

    // Limitations::merge_recursive (inc/objects/class-limitations.php:264-362).
    private function merge_into(array &$a1, array &$a2, bool $sum): void {
        $id = $this->current_id;
        if (in_array($id, ['plugins', 'themes'], true)
            && (!isset_or($a1, 'enabled', true) || !isset_or($a2, 'enabled', true))) {
            $a1['enabled'] = true;
            $a2['enabled'] = true;
        }
        if (!isset_or($a1, 'enabled', true)) {
            $a1 = ['enabled' => false];
        }
        if ($sum && !isset_or($a2, 'enabled', true)) {
            return;
        }
        foreach ($a2 as $key => &$value) {
            $value = is_object($value) ? get_object_vars($value) : $value;
            if (isset($a1[$key]) && is_object($a1[$key])) {
                $a1[$key] = get_object_vars($a1[$key]);
            }
            if (is_array($value) && isset($a1[$key]) && is_array($a1[$key])) {
                // The module id comes from an `id` key inside the arrays, else stays as is.
                $this->current_id = isset_or($value, 'id', isset_or($a1[$key], 'id', $id));
                $this->merge_into($a1[$key], $value, $sum);
                $this->current_id = $id;
                continue;
            }
            $old = isset_or($a1, $key, false);
            $unlimited_new = (is_numeric($value) || $value === '') && (int) $value === 0;
            if ($sum && ($old === '' || $old === 0)) {
                continue; // '' and 0 (strictly) are unlimited and stay
            }
            if ($sum && isset($a1[$key]) && is_numeric($a1[$key]) && is_numeric($value) && !$unlimited_new) {
                $a1[$key] = ((int) $a1[$key]) + $value;
            } elseif ($sum && $key === 'visibility' && isset($a1[$key])) {
                $rank = ['hidden' => 0, 'visible' => 1];
                $a1[$key] = ($rank[$value] ?? null) > ($rank[$a1[$key]] ?? null) ? $value : $a1[$key];
            } elseif ($sum && $key === 'behavior' && isset($a1[$key])) {
                $lists = [
                    'plugins' => ['default' => 10, 'force_inactive_locked' => 20, 'force_inactive' => 30,
                                  'force_active_locked' => 40, 'force_active' => 50],
                    'site' => ['not_available' => 10, 'available' => 20, 'pre_selected' => 30],
                    'themes' => ['not_available' => 10, 'available' => 20, 'force_active' => 30],
                ];
                $rank = $lists[$id] ?? null; // no list for an unnamed module: nothing ranks
                $a1[$key] = ($rank[$value] ?? null) > ($rank[$a1[$key]] ?? null) ? $value : $a1[$key];
            } else {
                $a1[$key] = ($old !== true || !$sum) ? $value : true; // an existing true stays
            }
        }
    }
}

$input = json_decode(stream_get_contents(STDIN), true);
$products = $input['products'];
$out = [];
foreach ($input['memberships'] as $m) {
    $addons = maybe_unserialize_value((string) $m['addon_products']);
    $addons = is_array($addons) ? $addons : [];
    // Membership::limitations_to_merge: add-on ids, then the plan; each product repeated by
    // its add-on quantity (inc/models/class-membership.php:2349-2372, get_addon_ids :582-585).
    $ids = array_merge(array_map('absint', array_keys($addons)), [(int) $m['plan_id']]);
    $list = [];
    foreach ($ids as $pid) {
        $amount = isset($addons[$pid]) ? $addons[$pid] : 1;
        $limitation = stored_limitations($products[(string) $pid] ?? null);
        for ($i = 0; $i < $amount; $i++) {
            $list[] = $limitation;
        }
    }
    $merger = new Merger();
    // Trait_Limitable::get_limitations: merge(...$list), then merge(true, own)
    // (inc/models/traits/trait-limitable.php:79-93).
    $first = array_shift($list);
    $summed = $first === null ? [] : $merger->merge([], $first, $list);
    $own = stored_limitations($m['own'] ?? null);
    $out[(string) $m['id']] = $merger->merge($summed, true, [$own]);
}
echo json_encode($out);
